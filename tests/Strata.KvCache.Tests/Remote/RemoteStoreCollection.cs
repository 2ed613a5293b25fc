namespace Strata.KvCache.Tests.Remote;

/// <summary>The tests that run store servers go one at a time: they measure latencies and share two cores.</summary>
[CollectionDefinition(Name)]
public sealed class RemoteStoreCollection
{
    public const string Name = "Remote store servers";
}
