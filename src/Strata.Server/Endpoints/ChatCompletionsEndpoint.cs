using Microsoft.AspNetCore.Http;
using Strata.Server.Cluster;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Prompts;
using Strata.Server.Protocol;
using Strata.Server.Responses;
using Strata.Server.Structured;

namespace Strata.Server.Endpoints;

/// <summary><c>POST /v1/chat/completions</c>: answers a conversation rendered through the model's chat template.</summary>
internal sealed class ChatCompletionsEndpoint(EngineHost host, ChatPromptBuilder prompts, PromptTokenizer tokenizer)
{
    public async Task HandleAsync(HttpContext context)
    {
        ChatRequest request;
        int[]? routed;
        using (var body = await JsonBody.ReadObjectAsync(context.Request))
        {
            request = ChatRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
            routed = RoutedTokens.Read(body.RootElement, host.VocabSize);
        }
        var format = prompts.ToolFormat;
        var generation = request.Generation;
        if (request.Tools is { Required.Count: > 0 } tools)
        {
            // A required or named call is forced: the grammar admits only calls with schema-valid arguments.
            if (generation.Grammar is not null)
                throw ApiException.BadRequest("'response_format' and 'grammar' cannot be combined with a required tool call.", "tool_choice");
            var gbnf = StructuredOutput.ToolGrammar(format, tools.Required, tools.Parallel);
            generation = generation with { Grammar = new OutputGrammar(gbnf, "tools") };
        }
        var prompt = routed ?? await tokenizer.EncodeAsync(prompts.PromptText(request), "messages", context.RequestAborted);
        // Chat replies run until the model ends its turn or the context is full, unless the client caps them.
        using var active = host.Start(prompt, generation, int.MaxValue, "messages", Tenant.Of(context), context.RequestAborted,
            request.Tools is { MayCall: true } ? format : null, Tenant.LimiterOf(context));
        await GenerationResponse.WriteAsync(context, active, generation, ChatFormat.Instance, host.ModelName);
    }
}
