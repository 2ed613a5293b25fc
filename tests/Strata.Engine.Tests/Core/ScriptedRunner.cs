using Strata.Engine.Running;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Tests.Core;

/// <summary>
/// A step runner with no model: the token after any run of tokens is a fixed function of them (<see cref="Next"/>, or
/// the one given),
/// so the same requests give the same tokens however they are batched, chunked or preempted. Drafts are accepted
/// while they equal what the function says. Each step advances the virtual clock by a cost law
/// (<see cref="CostTicks"/>), as a simulator's cost model would.
/// </summary>
internal sealed class ScriptedRunner(ManualClock clock, Func<IReadOnlyList<int>, int>? next = null) : IStepRunner
{
    public const int Vocabulary = 500;

    private readonly StepResult _result = new();
    private readonly Func<IReadOnlyList<int>, int> _next = next ?? Next;

    public static int Next(IReadOnlyList<int> tokens) => (tokens[^1] * 31 + tokens.Count * 7 + 3) % Vocabulary;

    /// <summary>Step cost: 2 ms, 50 µs per prefill token, 400 µs per decoding sequence.</summary>
    public static long CostTicks(int prefillTokens, int decodeSequences) => 20_000 + 500L * prefillTokens + 4_000L * decodeSequences;

    public StepResult Run(SchedulerPlan plan)
    {
        _result.Clear();
        int prefill = 0, decodes = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.IsDecode)
                decodes++;
            else
                prefill += chunk.Count;
            if (!chunk.ProducesToken)
                continue;
            var context = chunk.Sequence.Tokens.ToArray().ToList();
            var first = _next(context);
            for (var f = chunk.Forks.Count - 1; f >= 0; f--)
                _result.Tokens.Add(new SampledToken(chunk.Forks[f], first));
            for (var d = 0; ; d++)
            {
                var token = _next(context);
                _result.Tokens.Add(new SampledToken(chunk.Sequence, token));
                if (d == chunk.Drafts.Count || token != chunk.Drafts[d])
                    break;
                context.Add(token);
            }
        }
        clock.Advance(TimeSpan.FromTicks(CostTicks(prefill, decodes)));
        return _result;
    }

    /// <summary>The tokens a request generates alone: what every batching of it must produce too.</summary>
    public static int[] Continue(IEnumerable<int> prompt, int count, Func<IReadOnlyList<int>, int>? next = null)
    {
        var tokens = prompt.ToList();
        for (var i = 0; i < count; i++)
            tokens.Add((next ?? Next)(tokens));
        return tokens.Skip(tokens.Count - count).ToArray();
    }
}
