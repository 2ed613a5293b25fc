namespace Strata.Engine.Speculation;

/// <summary>Where speculative decoding's draft tokens come from.</summary>
public enum SpeculativeMethod
{
    /// <summary>Prompt lookup: the tokens that followed the last earlier occurrence of the sequence's last n tokens.</summary>
    Ngram,

    /// <summary>The most frequent continuation in a suffix tree over recent requests' prompts and outputs, the request's own included.</summary>
    Suffix,

    /// <summary>A smaller model with the same vocabulary (<see cref="SpeculationOptions.DraftModelPath"/>), run ahead one token at a time.</summary>
    Draft,
}
