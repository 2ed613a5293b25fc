using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Speculation;

/// <summary>
/// A step runner with no model whose logits depend only on the last token: token x is followed by x + 1 (mod
/// <see cref="Vocabulary"/>) with logit <see cref="Favoured"/>, by anything else with logit 0. Sampling goes through the
/// engine's own <see cref="StepSampler"/>, drafts included — unless <paramref name="exactMatch"/>, which instead accepts
/// a draft whenever it is the row's argmax (the greedy rule misapplied to sampling), to show that the statistical test
/// catches a rule that distorts the distribution.
/// </summary>
internal sealed class MarkovRunner(OutputProcessor outputs, bool exactMatch = false) : IStepRunner
{
    public const int Vocabulary = 8;
    public const float Favoured = 1.5f;

    private readonly StepSampler _sampler = new(outputs);
    private readonly StepResult _exact = new();
    private float[] _logits = [];

    public StepResult Run(SchedulerPlan plan)
    {
        var rows = plan.Chunks.Sum(c => c.LogitRows);
        if (_logits.Length < rows * Vocabulary)
            _logits = new float[rows * Vocabulary];
        var row = 0;
        foreach (var chunk in plan.Chunks)
        {
            for (var d = 0; d < chunk.LogitRows; d++)
                Fill(_logits.AsSpan(row++ * Vocabulary, Vocabulary), d == 0 ? chunk.Sequence.Tokens[^1] : chunk.Drafts[d - 1]);
        }
        return exactMatch ? RunExactMatch(plan) : _sampler.Sample(plan, _logits.AsSpan(0, rows * Vocabulary), Vocabulary);
    }

    private static void Fill(Span<float> logits, int last)
    {
        logits.Clear();
        logits[(last + 1) % Vocabulary] = Favoured;
    }

    private StepResult RunExactMatch(SchedulerPlan plan)
    {
        _exact.Clear();
        var row = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (!chunk.ProducesToken)
                continue;
            var sequence = chunk.Sequence;
            for (var d = 0; ; d++)
            {
                var logits = _logits.AsSpan((row + d) * Vocabulary, Vocabulary);
                if (d < chunk.Drafts.Count && chunk.Drafts[d] == Sampler.ArgMax(logits))
                {
                    _exact.Tokens.Add(new SampledToken(sequence, chunk.Drafts[d]));
                    continue;
                }
                _exact.Tokens.Add(new SampledToken(sequence, outputs[sequence.Id].Sampler.Sample(logits.ToArray(), sequence.Prompt, sequence.Generated)));
                break;
            }
            row += chunk.LogitRows;
        }
        return _exact;
    }
}
