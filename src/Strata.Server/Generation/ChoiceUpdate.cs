using Strata.Engine.Requests;

namespace Strata.Server.Generation;

/// <summary>What one engine event adds to a choice: text made final, the token's logprobs, and at the end why it finished.</summary>
internal readonly record struct ChoiceUpdate(int Choice, string Text, LogprobEntry? Logprobs, FinishReason? Finish, int CompletionTokens)
{
    /// <summary>Whether a stream has anything to tell the client about this update.</summary>
    public bool IsEmpty => Text.Length == 0 && Logprobs is null && Finish is null;
}
