namespace Strata.Server.Tests;

/// <summary>A TinyStories server whose chat template is Hermes 2 Pro's, which renders tools and expects <c>&lt;tool_call&gt;</c> replies.</summary>
public sealed class ToolServerFixture : IAsyncLifetime
{
    internal RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await RunningServer.StartAsync(modelPath: ModelFiles.StoriesWithCorpusTemplate("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use"));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
