namespace Strata.Engine.Scheduling;

/// <summary>First come, first served: earlier arrivals first, then the order sequences were created in (the choices of one request). Nobody outranks a running sequence.</summary>
internal sealed class ArrivalOrder : ISchedulingPolicy, IComparer<Sequence>
{
    public static ArrivalOrder Instance { get; } = new();

    public void Sort(List<Sequence> sequences) => sequences.Sort(this);

    public bool Outranks(Sequence waiting, Sequence running) => false;

    public void Admitted(Sequence sequence)
    {
    }

    public int Compare(Sequence? x, Sequence? y)
    {
        var byArrival = x!.Arrival.CompareTo(y!.Arrival);
        return byArrival != 0 ? byArrival : x.Id.Value.CompareTo(y.Id.Value);
    }
}
