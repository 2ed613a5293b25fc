namespace Strata.KvCache.Tests.Remote;

/// <summary>One three-node Redis Cluster for a test class (each test uses its own key prefix).</summary>
public sealed class StoreClusterFixture : IDisposable
{
    internal StoreCluster Cluster { get; } = StoreCluster.Start();

    public void Dispose() => Cluster.Dispose();
}
