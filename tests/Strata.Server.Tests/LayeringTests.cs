namespace Strata.Server.Tests;

public sealed class LayeringTests
{
    [Fact]
    public void Server_ReferencesNoKvCacheType_ItReadsTheEngineStatsOnly()
    {
        // The engine owns the KV path; the server learns what it needs through EngineStats.
        var references = typeof(StrataServer).Assembly.GetReferencedAssemblies().Select(a => a.Name);

        Assert.Contains("Strata.Engine", references);
        Assert.DoesNotContain("Strata.KvCache", references);
    }
}
