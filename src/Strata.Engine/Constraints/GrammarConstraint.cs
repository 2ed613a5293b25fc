using Strata.Grammar;

namespace Strata.Engine.Constraints;

/// <summary>Keeps a sequence inside a grammar (a JSON schema, a GBNF grammar, a tool call's format).</summary>
public sealed class GrammarConstraint(GrammarMatcher matcher) : ITokenConstraint
{
    public GrammarMatcher Matcher { get; } = matcher;

    public bool IsComplete => Matcher.IsComplete;

    public void Mask(Span<float> logits, ReadOnlySpan<int> generated, int remainingTokens) => Matcher.MaskLogits(logits, remainingTokens);

    // A token outside the grammar can only come from a mask that allowed nothing else (the vocabulary cannot
    // continue); the sequence then ends at an end-of-generation token, so the state need not move.
    public void Accept(int token) => Matcher.Accept(token);
}
