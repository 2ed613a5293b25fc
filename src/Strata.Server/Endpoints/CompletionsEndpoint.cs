using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Endpoints;

/// <summary><c>POST /v1/completions</c>: completes a text prompt (or token ids).</summary>
internal sealed class CompletionsEndpoint(EngineHost host)
{
    public async Task HandleAsync(HttpContext context)
    {
        CompletionRequest request;
        using (var body = await JsonBody.ReadObjectAsync(context.Request))
            request = CompletionRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
        var prompts = request.Prompts.Select(p => p.Tokenize(host.Tokenizer)).ToList();
        var echo = request.Echo ? request.Prompts.Zip(prompts, (p, tokens) => p.Text ?? host.Tokenizer.Decode(tokens)).ToList() : null;
        using var generation = host.Start(prompts, request.Generation, CompletionRequest.DefaultMaxTokens, "prompt", Tenant.Of(context), context.RequestAborted,
            echo: echo);
        await GenerationResponse.WriteAsync(context, generation, request.Generation, CompletionFormat.Instance, host.ModelName);
    }
}
