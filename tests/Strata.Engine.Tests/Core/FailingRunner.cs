using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Core;

/// <summary>Throws on one step (as a model would on a bad kernel or out of memory) and runs the others normally.</summary>
internal sealed class FailingRunner(IStepRunner inner, int failingStep) : IStepRunner
{
    private int _steps;

    public StepResult Run(SchedulerPlan plan) =>
        ++_steps == failingStep ? throw new InvalidOperationException("the forward pass failed") : inner.Run(plan);
}
