using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Strata.Engine;
using Strata.Engine.Requests;
using Strata.Models.Tokenizers;
using Strata.Server.Http;
using Strata.Server.Metrics;
using Strata.Server.Protocol;
using Strata.Server.Telemetry;
using Strata.Server.Structured;
using Strata.Server.Tools;

namespace Strata.Server.Generation;

/// <summary>
/// The endpoints' door to the engine: fits a request's token limit into the context, submits it with a cancellation
/// that fires when the client disconnects or the server shuts down, and turns refusals into API errors.
/// </summary>
internal sealed class EngineHost(InferenceEngine engine, ServerMetrics metrics, SloMetrics slo, IHostApplicationLifetime lifetime, IHttpContextAccessor http)
{
    private readonly LogprobFormatter _logprobs = new(engine.Model.Tokenizer);
    private readonly GrammarCache _grammars = new(engine.Model.Tokenizer);

    public string ModelName => engine.Model.Name;

    public Tokenizer Tokenizer => engine.Model.Tokenizer;

    public int VocabSize => engine.Model.Config.VocabSize;

    /// <summary>Longest sequence (prompt plus output) the engine accepts.</summary>
    public int MaxModelLength => engine.MaxModelLength;

    /// <param name="defaultMaxTokens">The token limit when the client set none; it is capped to the context left.</param>
    /// <param name="promptParam">The request field the prompt came from, for errors about it.</param>
    /// <param name="tenant">Who is asking (see <see cref="Http.Tenant"/>); tenants never share cached blocks.</param>
    /// <param name="tools">How to read tool calls from the output; null when the request offers no tools.</param>
    /// <param name="limits">The tenant's limits and default tier, when it is one from the tenants file.</param>
    public ActiveGeneration Start(int[] prompt, GenerationFields fields, int defaultMaxTokens, string promptParam, string tenant, CancellationToken clientAborted,
        ToolCallFormat? tools = null, TenantLimiter? limits = null) => Start([prompt], fields, defaultMaxTokens, promptParam, tenant, clientAborted, tools, limits: limits);

    /// <summary>Submits one engine request per prompt (a batch of prompts, as the completions API takes them).</summary>
    /// <param name="echo">Per prompt, text each choice's output starts with (<c>echo</c>).</param>
    public ActiveGeneration Start(IReadOnlyList<int[]> prompts, GenerationFields fields, int defaultMaxTokens, string promptParam, string tenant,
        CancellationToken clientAborted, ToolCallFormat? tools = null, IReadOnlyList<string>? echo = null, TenantLimiter? limits = null)
    {
        var grammar = fields.Grammar is { } spec ? _grammars.Get(spec) : null;
        var choices = fields.BestOf ?? fields.Choices;
        var tier = fields.Tier ?? limits?.Settings.DefaultTier ?? ServiceTier.Default;
        var requests = prompts.Select(prompt =>
        {
            if (prompt.Length == 0)
                throw ApiException.BadRequest("The prompt must not be empty.", promptParam);
            return new GenerationRequest
            {
                PromptTokens = prompt,
                Sampling = fields.Sampling with { MaxTokens = MaxTokens(prompt.Length, fields, defaultMaxTokens, promptParam) },
                Choices = choices,
                // best_of ranks choices by their tokens' log-probabilities, so the engine reports them.
                Logprobs = fields.Logprobs || choices > fields.Choices,
                TopLogprobs = fields.TopLogprobs,
                Tier = tier,
                Tenant = tenant,
                CacheSalt = fields.CacheSalt,
                CacheTtl = fields.CacheTtl,
                Pin = fields.Pin,
                Speculative = fields.Speculative,
                Streamed = fields.Stream,
                Grammar = grammar,
                GuardCategories = fields.GuardCategories,
            };
        }).ToList();
        var lease = limits?.Acquire(requests.Sum(r => (long)r.PromptTokens.Length + (long)r.Sampling.MaxTokens * r.Choices));
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, lifetime.ApplicationStopping);
        var context = http.HttpContext;
        var operation = context?.Request.Path.StartsWithSegments("/v1/chat") == true ? "chat" : "text_completion";
        var activity = RequestTracing.Start(operation, ModelName, requests.Max(r => r.Sampling.MaxTokens), choices * requests.Count);
        var handles = new List<GenerationHandle>();
        try
        {
            var genAi = new TagList { { "gen_ai.operation.name", operation }, { "gen_ai.request.model", ModelName } };
            var timer = new RequestTimer(metrics, slo, genAi, tier, engine.Options.ServiceLevels.For(tier));
            foreach (var request in requests)
                handles.Add(Submit(request, cancellation.Token, promptParam));
            timer.Predicted = handles.Max(h => h.PredictedTimeToFirstToken);
            var generation = new ActiveGeneration(handles, choices, cancellation, clientAborted, timer, fields.Logprobs ? _logprobs : null, tools, echo)
            {
                ReturnedPerPrompt = fields.Choices,
                Activity = activity,
                Tier = tier,
                Lease = lease,
            };
            context?.Features.Get<RequestLog>()?.Generation = generation;
            return generation;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.Stop();
            // The prompts of a batch already submitted are cancelled with it.
            cancellation.Cancel();
            cancellation.Dispose();
            lease?.Dispose();
            throw;
        }
    }

    private GenerationHandle Submit(GenerationRequest request, CancellationToken cancellation, string promptParam)
    {
        try
        {
            return engine.Submit(request, cancellation);
        }
        catch (RequestRejectedException ex)
        {
            if (!ex.Overloaded)
                throw ApiException.BadRequest(ex.Message, promptParam);
            slo.CountRejection(request.Tier, ex.Reason);
            throw Refused(ex, request.Tier);
        }
        catch (ArgumentException ex)
        {
            // Sampling parameters the engine refuses that request parsing let through.
            throw ApiException.BadRequest(ex.Message);
        }
        catch (ObjectDisposedException)
        {
            throw Unavailable("The server is shutting down.", "shutting_down");
        }
    }

    private int MaxTokens(int promptLength, GenerationFields fields, int defaultMaxTokens, string promptParam)
    {
        var context = engine.MaxModelLength;
        var room = context - promptLength;
        if (room < 1)
        {
            throw ApiException.BadRequest(
                $"This model's maximum context length is {context} tokens. However, your prompt has {promptLength} tokens, which leaves no room for a completion. Please reduce the length of the prompt.",
                promptParam, "context_length_exceeded");
        }
        if (fields.MaxTokens is not { } requested)
            return Math.Min(defaultMaxTokens, room);
        if (requested > room)
        {
            throw ApiException.BadRequest(
                $"This model's maximum context length is {context} tokens. However, you requested {(long)promptLength + requested} tokens ({promptLength} in the prompt, {requested} for the completion). Please reduce the length of the prompt or of the completion.",
                fields.MaxTokensParam, "context_length_exceeded");
        }
        return requested;
    }

    /// <summary>
    /// An overloaded engine's refusal: a flex request gets 429 (like OpenAI's flex processing when resources are
    /// short), the others 503, both with <c>Retry-After</c>.
    /// </summary>
    private static ApiException Refused(RequestRejectedException ex, ServiceTier tier)
    {
        var retryAfter = ex.RetryAfter ?? TimeSpan.FromSeconds(1);
        if (ex.Reason == RequestRejectedException.QueueFull)
            return new(new ApiError(StatusCodes.Status503ServiceUnavailable, ex.Message, ApiError.ServerError, null, "overloaded", retryAfter));
        return tier == ServiceTier.Flex
            ? new(new ApiError(StatusCodes.Status429TooManyRequests, ex.Message, ApiError.RateLimit, "service_tier", "resource_unavailable", retryAfter))
            : new(new ApiError(StatusCodes.Status503ServiceUnavailable, ex.Message, ApiError.ServerError, "service_tier", "slo_unattainable", retryAfter));
    }

    private static ApiException Unavailable(string message, string code) =>
        new(new ApiError(StatusCodes.Status503ServiceUnavailable, message, ApiError.ServerError, null, code));
}
