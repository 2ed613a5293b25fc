namespace Strata.Engine.Constraints;

/// <summary>
/// A rule on which tokens one sequence may generate next, applied by its <see cref="Sampling.Sampler"/> after
/// penalties and before the draw. A constraint holds the sequence's state, so every choice gets its own instance.
/// </summary>
public interface ITokenConstraint
{
    /// <summary>Nothing more may be generated (a grammar's sentence is finished): the sequence should stop.</summary>
    bool IsComplete { get; }

    /// <summary>Sets the logits of tokens that may not come next to −∞.</summary>
    /// <param name="generated">The tokens generated so far.</param>
    /// <param name="remainingTokens">How many more tokens the sequence may generate, this one included.</param>
    void Mask(Span<float> logits, ReadOnlySpan<int> generated, int remainingTokens);

    /// <summary>Advances over the token chosen after <see cref="Mask"/>.</summary>
    void Accept(int token);
}
