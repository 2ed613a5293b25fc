using Strata.Engine.Requests;
using Strata.Engine.Scheduling;

namespace Strata.Engine.Running;

/// <summary>A token chosen for <see cref="Choice"/> of the request that <see cref="Sequence"/> belongs to (a new choice forks from it).</summary>
internal readonly record struct SampledToken(Sequence Sequence, int Choice, int Token, TokenLogprob? Logprob, IReadOnlyList<TokenLogprob> TopLogprobs);
