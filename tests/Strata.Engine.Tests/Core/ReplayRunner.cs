using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Core;

/// <summary>
/// Plays back a recorded run without a model: each step must be planned exactly as recorded (same sequences, same
/// positions, same drafts and forks), and returns the tokens the recorded step returned.
/// </summary>
internal sealed class ReplayRunner(IReadOnlyList<StepTrace> steps) : IStepRunner
{
    private readonly StepResult _result = new();

    public int Replayed { get; private set; }

    public StepResult Run(SchedulerPlan plan)
    {
        Assert.True(Replayed < steps.Count, $"step {Replayed + 1} was not in the recording");
        var recorded = steps[Replayed++];
        Assert.Equal(recorded.Chunks, RecordingRunner.Describe(plan));
        var sequences = plan.Chunks.SelectMany(c => c.Forks.Prepend(c.Sequence)).ToDictionary(s => s.Id.Value);
        _result.Clear();
        foreach (var (sequence, token) in recorded.Tokens)
            _result.Tokens.Add(new SampledToken(sequences[sequence], token));
        return _result;
    }
}
