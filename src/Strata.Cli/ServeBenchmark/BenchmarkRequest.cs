namespace Strata.Cli.ServeBenchmark;

/// <summary>One request of a dataset.</summary>
/// <param name="SystemPrompt">A shared prefix: the system message on the chat endpoint, the start of the prompt otherwise.</param>
/// <param name="Prompt">The user's part of the prompt.</param>
/// <param name="TargetPromptTokens">The prompt length the dataset aimed for; counted when the server reports no usage.</param>
/// <param name="MaxTokens">Tokens to generate (exactly this many with <c>ignore_eos</c>).</param>
/// <param name="Tier">The service tier to ask for (<c>--tier-mix</c>); null sends none.</param>
internal sealed record BenchmarkRequest(string? SystemPrompt, string Prompt, int TargetPromptTokens, int MaxTokens, Strata.Engine.Requests.ServiceTier? Tier = null)
{
    /// <summary>The prompt as the completions endpoint gets it: the shared prefix, if any, on a line before the user's part.</summary>
    public string CompletionText => SystemPrompt is null ? Prompt : SystemPrompt + "\n" + Prompt;
}
