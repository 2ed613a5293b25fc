namespace Strata.Engine.Requests;

/// <summary>Something that happened to one choice of a request, streamed in order.</summary>
public abstract record GenerationEvent(int Choice);

/// <summary>A generated token and the text it made final (possibly empty while a stop string or UTF-8 character is undecided).</summary>
public sealed record TokenEvent(int Choice, int TokenId, string Text, TokenLogprob? Logprob, IReadOnlyList<TokenLogprob> TopLogprobs)
    : GenerationEvent(Choice);

/// <summary>The choice is complete; <see cref="Text"/> is any text released at the end.</summary>
public sealed record FinishEvent(int Choice, FinishReason Reason, string Text, int CompletionTokens) : GenerationEvent(Choice);
