namespace Strata.Cli.ServeBenchmark;

/// <summary>The OpenAI endpoint the benchmark talks to; they differ in how the prompt is sent and the text comes back.</summary>
internal enum ApiEndpoint
{
    Completions,
    ChatCompletions,
}
