using Strata.KvCache.Remote;

namespace Strata.Engine;

/// <summary>
/// A cluster node's record in the shared store (one key under a prefix, with a time to live), written through the
/// store client the engine's remote tier uses: the server keeps to the engine and never reaches the cache layer itself.
/// </summary>
public sealed class NodeRecords : IDisposable
{
    private readonly RemoteRecords _records;

    private NodeRecords(RemoteRecords records) => _records = records;

    /// <summary>Connects lazily to the store at <paramref name="url"/> (<c>redis[s]://[user:password@]host:port</c>).</summary>
    public static NodeRecords Open(string url, string prefix) => new(RemoteRecords.Open(url, prefix));

    /// <exception cref="IOException">The store did not answer.</exception>
    public void Put(string name, string value, TimeSpan ttl) => _records.Put(name, value, ttl);

    /// <exception cref="IOException">The store did not answer.</exception>
    public bool Delete(string name) => _records.Delete(name);

    public void Dispose() => _records.Dispose();
}
