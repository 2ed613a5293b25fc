namespace Strata.Engine.Tests.Core;

/// <summary>Virtual time: it moves only when told, so every run of the core sees the same times.</summary>
internal sealed class ManualClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(_ticks);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
