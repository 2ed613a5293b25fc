using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Simulation;

/// <summary>
/// The step runner of a simulated node: no model, no KV bytes. Every chunk that reaches its sequence's last known
/// token yields one token (drafts are never proposed here), and the node's clock advances by what the cost says the
/// step would have taken on the profiled machine. The requests that got tokens are collected for the node.
/// </summary>
internal sealed class CostModelRunner(VirtualClock clock, StepCost cost, OutputProcessor outputs) : IStepRunner
{
    private readonly StepResult _result = new();

    /// <summary>Requests that received tokens in the last step (a request may appear once per choice).</summary>
    public List<RequestState> Touched { get; } = [];

    public StepResult Run(SchedulerPlan plan)
    {
        _result.Clear();
        Touched.Clear();
        foreach (var chunk in plan.Chunks)
        {
            if (!chunk.ProducesToken)
                continue;
            foreach (var fork in chunk.Forks)
                _result.Tokens.Add(new SampledToken(fork, SimNode.Token));
            _result.Tokens.Add(new SampledToken(chunk.Sequence, SimNode.Token));
            Touched.Add(outputs[chunk.Sequence.Id].Request);
        }
        var shape = PlanShape.Of(plan);
        var admitted = 0;
        foreach (var (sequence, _) in plan.Admissions)
            admitted += sequence.PromptLength;
        clock.Ticks += VirtualClock.ToTicks(cost(shape.PrefillTokens, shape.DecodeSequences, shape.ContextTokens, shape.PrefillAttention, plan.Loads.Count, admitted));
        return _result;
    }
}
