using Strata.Engine.Requests;
using Strata.Server.Tools;

namespace Strata.Server.Generation;

/// <summary>
/// What one engine event adds to a choice: text made final, tool call deltas, the token's logprobs, and at the end
/// why it finished (and whether the choice called tools).
/// </summary>
internal readonly record struct ChoiceUpdate(int Choice, string Text, LogprobEntry? Logprobs, FinishReason? Finish, int CompletionTokens,
    IReadOnlyList<ToolCallDelta>? ToolCalls = null, bool CalledTools = false, float Logprob = 0)
{
    /// <summary>Whether a stream has anything to tell the client about this update.</summary>
    public bool IsEmpty => Text.Length == 0 && Logprobs is null && Finish is null && ToolCalls is not { Count: > 0 };
}
