using Strata.Engine.Scheduling;

namespace Strata.Engine.Running;

/// <summary>
/// Runs a step's plan: performs its block copies and loads, computes its chunks and returns the accepted tokens. The
/// model runner is one implementation; a cost model that only advances a clock is another (tests, the simulator). The
/// result must follow <see cref="StepResult"/>'s contract; it is reused by the next call.
/// </summary>
internal interface IStepRunner
{
    StepResult Run(SchedulerPlan plan);
}
