using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Engine;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Prompts;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Cluster;

/// <summary>
/// <c>POST /cluster/prefill/completions</c> and <c>/cluster/prefill/chat</c> (the prefill leg of a disaggregated request,
/// sent by a router): computes the body's (first) prompt as the API endpoint would read it, and leases its blocks for a
/// decode node to pull. Answers <c>{"lease", "blocks", "prompt_tokens", "expires_in_ms"}</c>.
/// </summary>
internal sealed class PrefillEndpoint(InferenceEngine engine, EngineHost host, ChatPromptBuilder chat, PromptTokenizer tokenizer)
{
    public Task CompletionsAsync(HttpContext context) => HandleAsync(context, isChat: false);

    public Task ChatAsync(HttpContext context) => HandleAsync(context, isChat: true);

    private async Task HandleAsync(HttpContext context, bool isChat)
    {
        int[] prompt;
        GenerationFields fields;
        using (var body = await JsonBody.ReadObjectAsync(context.Request))
        {
            if (isChat)
            {
                var request = ChatRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
                prompt = RoutedTokens.Read(body.RootElement, host.VocabSize) ?? await tokenizer.EncodeAsync(chat.PromptText(request), "messages", context.RequestAborted);
                fields = request.Generation;
            }
            else
            {
                var request = CompletionRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
                prompt = request.Prompts[0].Tokens ?? RoutedTokens.Read(body.RootElement, host.VocabSize) ?? await tokenizer.EncodeAsync(request.Prompts[0].Text!, "prompt", context.RequestAborted);
                fields = request.Generation;
            }
        }
        var tenant = Tenant.Of(context);
        // The prompt and one sampled token: the decode node samples its own first token after the partial last block.
        using (var generation = host.Start(prompt, fields with { MaxTokens = 1, Choices = 1, BestOf = null, Grammar = null }, 1, isChat ? "messages" : "prompt",
            tenant, context.RequestAborted))
        {
            while (await generation.WaitToReadAsync())
            {
                while (generation.TryRead(out _))
                {
                }
            }
        }
        if (context.RequestAborted.IsCancellationRequested)
            return;
        var lease = await engine.LeaseAsync(prompt, tenant, fields.CacheSalt);
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            json.WriteString("lease", lease.Id);
            json.WriteNumber("blocks", lease.Blocks);
            json.WriteNumber("prompt_tokens", prompt.Length);
            json.WriteNumber("expires_in_ms", (long)(lease.Expires - DateTimeOffset.UtcNow).TotalMilliseconds);
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync();
    }
}
