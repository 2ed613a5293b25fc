using System.Text.Json.Nodes;

namespace Strata.Templates;

/// <summary>What a chat template renders: the conversation plus the variables Hugging Face passes to every template.</summary>
public sealed class ChatTemplateInput
{
    /// <summary>The <c>messages</c> variable: objects with <c>role</c>, <c>content</c> (a string or content parts) and optionally <c>tool_calls</c> and the like.</summary>
    public required JsonArray Messages { get; init; }

    /// <summary>The <c>tools</c> variable (function schemas); null leaves it undefined, so templates skip their tool sections.</summary>
    public JsonNode? Tools { get; init; }

    /// <summary>The <c>add_generation_prompt</c> variable: end the prompt with the assistant's turn header.</summary>
    public bool AddGenerationPrompt { get; init; }

    /// <summary>The <c>bos_token</c> text; null leaves the variable undefined.</summary>
    public string? BosToken { get; init; }

    /// <summary>The <c>eos_token</c> text; null leaves the variable undefined.</summary>
    public string? EosToken { get; init; }

    /// <summary>Further template variables (for example <c>enable_thinking</c> or <c>reasoning_effort</c>); they override the ones above.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Variables { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The clock <c>strftime_now</c> reads (local time).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
