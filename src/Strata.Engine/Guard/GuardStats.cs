using System.Collections.Concurrent;

namespace Strata.Engine.Guard;

/// <summary>The guard's counters: violations by kind and category, and the classifier's work.</summary>
public sealed class GuardStats
{
    private readonly ConcurrentDictionary<(string Kind, string Category), long> _violations = new();
    private long _classifications;
    private long _classifierTicks;

    public IReadOnlyDictionary<(string Kind, string Category), long> Violations => _violations;

    public long Classifications => Interlocked.Read(ref _classifications);

    public double ClassifierSeconds => Interlocked.Read(ref _classifierTicks) / (double)TimeSpan.TicksPerSecond;

    internal void CountViolation(string kind, string category) => _violations.AddOrUpdate((kind, category), 1, (_, n) => n + 1);

    internal void CountClassification(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _classifications);
        Interlocked.Add(ref _classifierTicks, elapsed.Ticks);
    }
}
