namespace Strata.Engine.Scheduling;

/// <summary>
/// The order the scheduler serves sequences in. It runs and admits from the front of each list and preempts from the
/// back of the running one; a waiting sequence that <see cref="Outranks"/> a running one is admitted before it, taking
/// the place (blocks, a slot) of the lowest-ranked running ones if it must.
/// </summary>
internal interface ISchedulingPolicy
{
    /// <summary>Puts <paramref name="sequences"/> in service order as of now, most urgent first.</summary>
    void Sort(List<Sequence> sequences);

    /// <summary>Whether <paramref name="waiting"/> should run before <paramref name="running"/>, preempting it if need be.</summary>
    bool Outranks(Sequence waiting, Sequence running);

    /// <summary>Told when a sequence is admitted for the first time (not when it resumes after a preemption).</summary>
    void Admitted(Sequence sequence);
}
