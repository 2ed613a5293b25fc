namespace Strata.Engine.Scheduling;

/// <summary>First come, first served: earlier arrivals first, then the order sequences were created in (the choices of one request).</summary>
internal sealed class ArrivalOrder : IComparer<Sequence>
{
    public static ArrivalOrder Instance { get; } = new();

    public int Compare(Sequence? x, Sequence? y)
    {
        var byArrival = x!.Arrival.CompareTo(y!.Arrival);
        return byArrival != 0 ? byArrival : x.Id.Value.CompareTo(y.Id.Value);
    }
}
