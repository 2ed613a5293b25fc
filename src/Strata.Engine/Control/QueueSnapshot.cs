using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// The engine's work after a step — running sequences and waiting ones, each in service order — published by the
/// engine thread for predictions made on others, and counted per tier for the metrics.
/// </summary>
public sealed class QueueSnapshot
{
    private readonly int[] _waiting = new int[Tiers.Count];
    private readonly int[] _running = new int[Tiers.Count];

    internal QueueSnapshot(IReadOnlyList<SequenceLoad> running, IReadOnlyList<SequenceLoad> waiting)
    {
        Running = running;
        Waiting = waiting;
        foreach (var load in running)
            _running[(int)load.Tier]++;
        foreach (var load in waiting)
            _waiting[(int)load.Tier]++;
    }

    public static QueueSnapshot Empty { get; } = new([], []);

    internal IReadOnlyList<SequenceLoad> Running { get; }

    internal IReadOnlyList<SequenceLoad> Waiting { get; }

    public int WaitingIn(ServiceTier tier) => _waiting[(int)tier];

    public int RunningIn(ServiceTier tier) => _running[(int)tier];
}
