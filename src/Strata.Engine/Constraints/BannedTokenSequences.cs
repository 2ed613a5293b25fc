namespace Strata.Engine.Constraints;

/// <summary>
/// Token sequences that must never be generated (vLLM's <c>bad_words</c>): the last token of a banned sequence is
/// masked whenever the tokens generated just before it are the rest of the sequence. Stateless beyond the output.
/// </summary>
public sealed class BannedTokenSequences(IReadOnlyList<int[]> sequences) : ITokenConstraint
{
    public bool IsComplete => false;

    public void Mask(Span<float> logits, ReadOnlySpan<int> generated, int remainingTokens)
    {
        foreach (var banned in sequences)
        {
            var prefix = banned.AsSpan(0, banned.Length - 1);
            var last = banned[^1];
            if ((uint)last < (uint)logits.Length && generated.EndsWith(prefix))
                logits[last] = float.NegativeInfinity;
        }
    }

    public void Accept(int token)
    {
    }
}
