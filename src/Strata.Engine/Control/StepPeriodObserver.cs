using Strata.Engine.Core;

namespace Strata.Engine.Control;

/// <summary>
/// Feeds the step cost law each step's whole period on the engine thread — from its start to the next step's start
/// while the engine stays busy, or to the moment it goes idle — rather than the runner's time alone. A waiting request
/// waits for all of it: scheduling, turning sampled tokens into text and stream events, the host's bookkeeping between
/// steps, and the CPU the server's other threads take meanwhile; a law fitted on the runner's time alone predicts it
/// too early.
/// </summary>
internal sealed class StepPeriodObserver(StepCostModel costs, TimeProvider clock)
{
    private StepRecord? _last;

    /// <summary>A step has run: the one before it (if the engine did not idle since) ended when this one started.</summary>
    public void Stepped(StepRecord step)
    {
        if (_last is { } last)
            Observe(last, step.Started);
        _last = step;
    }

    /// <summary>The engine has nothing to run: its last step ended now.</summary>
    public void Idle()
    {
        if (_last is { } last)
            Observe(last, clock.GetTimestamp());
        _last = null;
    }

    private void Observe(StepRecord step, long ended)
    {
        var period = (double)(ended - step.Started) / clock.TimestampFrequency;
        costs.Observe(step with { Seconds = Math.Max(step.Seconds, period) });
    }
}
