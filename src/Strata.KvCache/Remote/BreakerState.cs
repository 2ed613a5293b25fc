namespace Strata.KvCache.Remote;

/// <summary>Whether a store server is being asked: Closed (yes), Open (no, until the backoff ends), HalfOpen (one probe in flight).</summary>
public enum BreakerState
{
    Closed,
    HalfOpen,
    Open,
}
