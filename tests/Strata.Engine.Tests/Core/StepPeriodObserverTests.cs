using Strata.Engine.Control;
using Strata.Engine.Core;

namespace Strata.Engine.Tests.Core;

/// <summary>The step cost law is fitted on each step's whole period on the engine thread, not the runner's time alone.</summary>
public sealed class StepPeriodObserverTests
{
    [Fact]
    public void Stepped_WorkBetweenRunnerCalls_LawCoversTheWholePeriodButNotIdleGaps()
    {
        var clock = new ManualClock();
        var costs = new StepCostModel(new StepCost(0, 0, 0, 0));
        var periods = new StepPeriodObserver(costs, clock);
        void Run(int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                var started = clock.GetTimestamp();
                clock.Advance(TimeSpan.FromMilliseconds(10)); // the runner
                periods.Stepped(new StepRecord(i + 1, started, 0.010, 4, 0, 4, 0, 400, 4, 0));
                clock.Advance(TimeSpan.FromMilliseconds(5)); // output processing, the host's bookkeeping, other threads
            }
        }

        Run(200);
        periods.Idle();
        clock.Advance(TimeSpan.FromSeconds(10)); // nothing to do: not part of any step
        Run(200);

        Assert.Equal(0.015, costs.Current.Seconds(0, 4, 400), 0.0005);
    }
}
