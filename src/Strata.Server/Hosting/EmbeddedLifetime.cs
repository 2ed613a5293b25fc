using Microsoft.Extensions.Hosting;

namespace Strata.Server.Hosting;

/// <summary>
/// A host lifetime that leaves Ctrl-C and SIGTERM to the program embedding the server (the CLI), which asks the server
/// to drain first; the default console lifetime would stop it at once.
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
