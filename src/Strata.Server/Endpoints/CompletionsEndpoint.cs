using Microsoft.AspNetCore.Http;
using Strata.Server.Cluster;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Prompts;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Endpoints;

/// <summary><c>POST /v1/completions</c>: completes a text prompt (or token ids).</summary>
internal sealed class CompletionsEndpoint(EngineHost host, PromptTokenizer tokenizer)
{
    public async Task HandleAsync(HttpContext context)
    {
        CompletionRequest request;
        using (var body = await JsonBody.ReadObjectAsync(context.Request))
        {
            request = CompletionRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
            // A router sends the ids of a single text prompt; the text stays for echo.
            if (request.Prompts is [{ Tokens: null } single] && RoutedTokens.Read(body.RootElement, host.VocabSize) is { } routed)
                request = request with { Prompts = [single with { Tokens = routed }] };
        }
        // Like llama.cpp and vLLM, a text prompt gets the model's BOS and may spell special tokens by name.
        var prompts = new List<int[]>(request.Prompts.Count);
        foreach (var prompt in request.Prompts)
            prompts.Add(prompt.Tokens ?? await tokenizer.EncodeAsync(prompt.Text!, "prompt", context.RequestAborted));
        var echo = request.Echo ? request.Prompts.Zip(prompts, (p, tokens) => p.Text ?? host.Tokenizer.Decode(tokens)).ToList() : null;
        using var generation = host.Start(prompts, request.Generation, CompletionRequest.DefaultMaxTokens, "prompt", Tenant.Of(context), context.RequestAborted,
            echo: echo, limits: Tenant.LimiterOf(context));
        await GenerationResponse.WriteAsync(context, generation, request.Generation, CompletionFormat.Instance, host.ModelName);
    }
}
