using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Prompts;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>: answers a conversation rendered through the model's chat template.</summary>
internal sealed class ChatCompletionsEndpoint(EngineHost host, ChatPromptBuilder prompts, PromptTokenizer tokenizer)
{
    public async Task HandleAsync(HttpContext context)
    {
        ChatRequest request;
        using (var body = await JsonBody.ReadObjectAsync(context.Request))
            request = ChatRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
        var prompt = await tokenizer.EncodeAsync(prompts.Render(request), "messages", context.RequestAborted);
        // Chat replies run until the model ends its turn or the context is full, unless the client caps them.
        using var generation = host.Start(prompt, request.Generation, int.MaxValue, "messages", Tenant.Of(context), context.RequestAborted);
        await GenerationResponse.WriteAsync(context, generation, request.Generation, ChatFormat.Instance, host.ModelName);
    }
}
