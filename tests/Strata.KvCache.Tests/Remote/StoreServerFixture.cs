using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

/// <summary>One server for a test class (each test uses its own key prefix).</summary>
public sealed class StoreServerFixture : IDisposable
{
    internal StoreServer Server { get; } = StoreServer.Start();

    public void Dispose() => Server.Dispose();
}
