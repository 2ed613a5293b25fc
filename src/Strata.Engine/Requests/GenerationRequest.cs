using Strata.Engine.Sampling;
using Strata.Grammar;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Requests;

/// <summary>One prompt to complete <see cref="Choices"/> times.</summary>
public sealed record GenerationRequest
{
    public required int[] PromptTokens { get; init; }

    public SamplingParams Sampling { get; init; } = new();

    /// <summary>Independent completions of the same prompt (OpenAI's <c>n</c>); they share the prompt's KV blocks.</summary>
    public int Choices { get; init; } = 1;

    /// <summary>How many alternatives to report per generated token (0: only the chosen token's log-probability when <see cref="Logprobs"/>).</summary>
    public int TopLogprobs { get; init; }

    public bool Logprobs { get; init; }

    /// <summary>Opt-in content guard categories this request asks to be enforced too.</summary>
    public IReadOnlyCollection<string> GuardCategories { get; init; } = [];

    /// <summary>Every choice's output must be a sentence of this grammar (structured output); null leaves it free.</summary>
    public TokenGrammar? Grammar { get; init; }

    /// <summary>Let the engine's speculative decoding draft tokens for this request (when it has a method); false turns it off.</summary>
    public bool Speculative { get; init; } = true;

    /// <summary>
    /// Deliver each event as it happens (a streamed response). When false, the reader of <see cref="GenerationHandle.Events"/>
    /// gets the first event at once (a time to first token is still measured there) and the rest when the request
    /// completes: a response written whole needs nothing sooner, and waking its reader for every token cost the server
    /// a thread-pool wake-up or two per token, on the cores the engine runs on.
    /// </summary>
    public bool Streamed { get; init; } = true;

    /// <summary>The request's class of service: its scheduling rank and latency targets.</summary>
    public ServiceTier Tier { get; init; } = ServiceTier.Default;

    /// <summary>Who asks (a digest of the API key); tenants never share KV blocks.</summary>
    public string Tenant { get; init; } = "";

    /// <summary>Isolates this request's cached prefixes: only requests of one tenant with the same salt share KV blocks.</summary>
    public string CacheSalt { get; init; } = "";

    /// <summary>Keep this prompt's cached blocks resident (a hot system prompt), for <see cref="CacheTtl"/>.</summary>
    public bool Pin { get; init; }

    /// <summary>How long this prompt's cached blocks should be kept; null means the engine's default.</summary>
    public TimeSpan? CacheTtl { get; init; }

    /// <summary>
    /// The keys of the prompt's first full blocks, when the caller derived them already (a simulator prepares them on
    /// another thread while it runs, once per prompt): the engine then hashes only the blocks after them. They must be
    /// exactly what the engine's <see cref="CacheIdentity"/> gives for this tenant, salt and prompt; null (the server's
    /// case) has the engine derive them all.
    /// </summary>
    public IReadOnlyList<BlockKey>? PromptBlockKeys { get; init; }
}
