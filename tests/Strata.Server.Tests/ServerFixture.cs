namespace Strata.Server.Tests;

/// <summary>One TinyStories server shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    internal RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
