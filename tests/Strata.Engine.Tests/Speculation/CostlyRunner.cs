using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Speculation;

/// <summary>Runs another runner's steps and then charges each one to a clock, by whatever law the test gives.</summary>
internal sealed class CostlyRunner(IStepRunner inner, Action<SchedulerPlan> charge) : IStepRunner
{
    public StepResult Run(SchedulerPlan plan)
    {
        var result = inner.Run(plan);
        charge(plan);
        return result;
    }
}
