namespace Strata.Server.Tests;

/// <summary>A server over the TinyStories copy whose chat template is <c>{{ bos_token }}</c> plus the message contents.</summary>
public sealed class TemplatedServerFixture : IAsyncLifetime
{
    internal RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync(modelPath: ModelFiles.StoriesWithBosTemplate);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
