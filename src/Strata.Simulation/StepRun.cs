namespace Strata.Simulation;

/// <summary>
/// Steps a node has planned but not yet applied, all of one fixed composition: pure decodes (the requests they give a
/// token to are <see cref="Flights"/>) or a lone prompt's chunks (<see cref="Prefill"/>, no tokens). When each step
/// starts (by the cost law), with the start of the step after the run last. Reused by its node; empty when no run is
/// pending.
/// </summary>
internal sealed class StepRun
{
    public int Steps { get; set; }

    public bool Prefill { get; set; }

    public List<Flight> Flights { get; } = [];

    public List<long> Starts { get; } = [];

    public void Clear()
    {
        Steps = 0;
        Prefill = false;
        Flights.Clear();
        Starts.Clear();
    }
}
