namespace Strata.Simulation;

/// <summary>
/// Decode steps a node has planned but not yet applied: the requests they give a token to, and when each step starts
/// (by the cost law), with the start of the step after the run last. Reused by its node; empty when no run is pending.
/// </summary>
internal sealed class DecodeRun
{
    public int Steps { get; set; }

    public List<Flight> Flights { get; } = [];

    public List<long> Starts { get; } = [];

    public void Clear()
    {
        Steps = 0;
        Flights.Clear();
        Starts.Clear();
    }
}
