using Strata.Engine.Requests;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Running;

/// <summary>A token a step accepted for <see cref="Sequence"/>, with its log-probabilities when the request asked for them.</summary>
internal readonly record struct SampledToken(Sequence Sequence, int Token, TokenLogprob? Logprob, IReadOnlyList<TokenLogprob> TopLogprobs)
{
    public SampledToken(Sequence sequence, int token)
        : this(sequence, token, null, [])
    {
    }
}
