using System.Text;
using Strata.Engine.Requests;
using Strata.Models.Tokenizers;

namespace Strata.Server.Generation;

/// <summary>Turns the engine's token ids and log-probabilities into the text and bytes the APIs report.</summary>
internal sealed class LogprobFormatter(Tokenizer tokenizer)
{
    private const float ImpossibleLogprob = -9999f;

    public LogprobToken Format(TokenLogprob logprob)
    {
        // Special tokens are shown by name, so a client can see that the model chose to end, say, with </s>.
        var bytes = tokenizer.PieceBytes(logprob.TokenId, renderSpecial: true).ToArray();
        return new LogprobToken(Encoding.UTF8.GetString(bytes), bytes, Finite(logprob.Logprob));
    }

    // JSON has no -Infinity; like vLLM, an impossible token reports -9999.
    private static float Finite(float logprob) => float.IsFinite(logprob) ? logprob : ImpossibleLogprob;
}
