using Microsoft.Extensions.Logging;

namespace Strata.Router.Nodes;

/// <summary>A <see cref="NodeWatcher"/> running for each member, started when it joins and stopped when it leaves.</summary>
internal sealed class MemberWatchers(byte[] modelFingerprint, ILogger logger) : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Lock _lock = new();
    private readonly Dictionary<ClusterMember, (CancellationTokenSource Stop, Task Running)> _watchers = [];

    public void Start(ClusterMember member)
    {
        var stop = new CancellationTokenSource();
        lock (_lock)
            _watchers.Add(member, (stop, Task.Run(() => new NodeWatcher(member, modelFingerprint, _http, logger).RunAsync(stop.Token))));
    }

    public async Task StopAsync(ClusterMember member)
    {
        (CancellationTokenSource Stop, Task Running) watcher;
        lock (_lock)
        {
            if (!_watchers.Remove(member, out watcher))
                return;
        }
        await watcher.Stop.CancelAsync();
        await watcher.Running;
        watcher.Stop.Dispose();
        member.Reachable = false;
    }

    public async ValueTask DisposeAsync()
    {
        List<ClusterMember> members;
        lock (_lock)
            members = [.. _watchers.Keys];
        await Task.WhenAll(members.Select(StopAsync));
        _http.Dispose();
    }
}
