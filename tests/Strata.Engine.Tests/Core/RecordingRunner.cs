using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Core;

/// <summary>Passes steps to another runner and records each plan and result.</summary>
internal sealed class RecordingRunner(IStepRunner inner) : IStepRunner
{
    public List<StepTrace> Steps { get; } = [];

    public StepResult Run(SchedulerPlan plan)
    {
        var result = inner.Run(plan);
        Steps.Add(new StepTrace(Describe(plan), result.Tokens.Select(t => (t.Sequence.Id.Value, t.Token)).ToList()));
        return result;
    }

    public static List<ChunkTrace> Describe(SchedulerPlan plan) =>
        plan.Chunks.Select(c => new ChunkTrace(c.Sequence.Id.Value, c.Start, c.Count, [.. c.Drafts], c.Forks.Select(f => f.Id.Value).ToArray())).ToList();
}
