using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Server.Tests;

/// <summary>A step runner whose every step throws, as a model would on a bad kernel or out of memory.</summary>
internal sealed class FailingRunner : IStepRunner
{
    public StepResult Run(SchedulerPlan plan) => throw new InvalidOperationException("the forward pass failed");
}
