namespace Strata.KvCache.Tests.Remote;

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks = 1;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
