using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Core;

/// <summary>Notes the tier loads each plan carries before passing it on.</summary>
internal sealed class PlanSpy(List<(int Block, byte[] Payload)> loads, IStepRunner inner) : IStepRunner
{
    public StepResult Run(SchedulerPlan plan)
    {
        loads.AddRange(plan.Loads);
        return inner.Run(plan);
    }
}
