using Strata.KvCache.Remote;

namespace Strata.KvCache.Tests.Remote;

/// <summary>
/// Options for tests of behaviour rather than of deadlines: a shared two-core machine under load can starve a
/// server or the test for longer than the production 50 ms, which would turn a round trip into a miss.
/// </summary>
internal static class PatientOptions
{
    public static RemoteStoreOptions For(string url, string? keyPrefix = null) => RemoteStoreOptions.Parse(url) with
    {
        OperationTimeout = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        KeyPrefix = keyPrefix ?? "strata:kv:",
        Log = _ => { },
    };
}
