namespace Strata.Simulation;

/// <summary>Simulated time in ticks of 100 ns: it moves only when the simulation sets or advances it, never with the wall clock.</summary>
internal sealed class VirtualClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public long Ticks { get; set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Ticks;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Ticks);

    public static long ToTicks(double seconds) => (long)Math.Round(seconds * TimeSpan.TicksPerSecond);

    public static double ToSeconds(long ticks) => (double)ticks / TimeSpan.TicksPerSecond;
}
