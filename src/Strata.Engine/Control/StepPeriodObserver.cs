using Strata.Engine.Core;

namespace Strata.Engine.Control;

/// <summary>
/// Feeds the step cost law each step's whole period on the engine thread — from its start to the next step's start
/// while the engine stays busy, or to the moment it goes idle — rather than the runner's time alone. A waiting request
/// waits for all of it: scheduling, turning sampled tokens into text and stream events, the host's bookkeeping between
/// steps, and the CPU the server's other threads take meanwhile; a law fitted on the runner's time alone predicts it
/// too early. The first step of each shape (which of prompt tokens, decodes and drafts it has) is left out: it runs its
/// code paths for the first time, JIT-compiling them, and may take a hundred times its cost. Fitted, one such step
/// would own the term only it exercises — a cold first verification priced every draft out, and with no drafts run
/// after it, nothing corrected the price.
/// </summary>
internal sealed class StepPeriodObserver(StepCostModel costs, TimeProvider clock)
{
    private StepRecord? _last;
    private int _seenShapes;

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
        var shape = 1 << ((step.PrefillTokens > 0 ? 1 : 0) | (step.DecodeSequences > 0 ? 2 : 0) | (step.DraftTokens > 0 ? 4 : 0));
        if ((_seenShapes & shape) == 0)
        {
            _seenShapes |= shape;
            return;
        }
        var period = (double)(ended - step.Started) / clock.TimestampFrequency;
        costs.Observe(step with { Seconds = Math.Max(step.Seconds, period) });
    }
}
