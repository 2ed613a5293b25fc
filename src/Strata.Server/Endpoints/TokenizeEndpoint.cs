using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Prompts;
using Strata.Server.Protocol;
using Strata.Server.Responses;

namespace Strata.Server.Endpoints;

/// <summary>
/// <c>POST /tokenize</c>, <c>/detokenize</c> and <c>/apply-template</c> as llama.cpp's and vLLM's servers have them:
/// text (<c>content</c> or <c>prompt</c>) or a conversation (<c>messages</c>, rendered by the chat template) to token
/// ids, token ids back to text, and a conversation to its rendered prompt.
/// </summary>
internal sealed class TokenizeEndpoint(EngineHost host, ChatPromptBuilder prompts, PromptTokenizer tokenizer)
{
    public async Task TokenizeAsync(HttpContext context)
    {
        using var body = await JsonBody.ReadObjectAsync(context.Request);
        var fields = new JsonFields(body.RootElement);
        ServedModel.Check(fields, host.ModelName);
        int[] tokens;
        if (fields.Find("messages") is not null)
        {
            var prompt = prompts.PromptText(ChatRequest.Parse(body.RootElement, host.ModelName, host.VocabSize));
            tokens = await tokenizer.RunAsync(prompt, text => host.Tokenizer.Encode(text, addSpecial: true, parseSpecial: true), context.RequestAborted);
        }
        else
        {
            var text = fields.String("content") ?? fields.String("prompt") ?? throw ApiException.BadRequest("Missing required parameter: 'content' (or 'prompt', or 'messages').", "content");
            var addSpecial = fields.Boolean("add_special") ?? fields.Boolean("add_special_tokens") ?? true;
            var parseSpecial = fields.Boolean("parse_special") ?? true;
            tokens = await tokenizer.RunAsync(text, whole => host.Tokenizer.Encode(whole, addSpecial, parseSpecial), context.RequestAborted);
        }
        var withPieces = fields.Boolean("with_pieces") ?? false;
        await WriteAsync(context, json =>
        {
            json.WriteStartArray("tokens");
            foreach (var token in tokens)
            {
                if (!withPieces)
                {
                    json.WriteNumberValue(token);
                    continue;
                }
                json.WriteStartObject();
                json.WriteNumber("id", token);
                json.WriteString("piece", System.Text.Encoding.UTF8.GetString(host.Tokenizer.PieceBytes(token, renderSpecial: true)));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("count", tokens.Length);
            json.WriteNumber("max_model_len", host.MaxModelLength);
        });
    }

    public async Task DetokenizeAsync(HttpContext context)
    {
        using var body = await JsonBody.ReadObjectAsync(context.Request);
        var fields = new JsonFields(body.RootElement);
        ServedModel.Check(fields, host.ModelName);
        var ids = fields.Find("tokens") ?? throw ApiException.BadRequest("Missing required parameter: 'tokens'.", "tokens");
        if (ids.ValueKind != JsonValueKind.Array)
            throw JsonFields.WrongType("tokens", "an array of token ids", ids);
        var tokens = ids.EnumerateArray().Select(id => id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out var t) && t >= 0 && t < host.VocabSize
            ? t
            : throw ApiException.BadRequest($"Invalid 'tokens': each must be a token id in [0, {host.VocabSize}).", "tokens")).ToArray();
        var text = host.Tokenizer.Decode(tokens);
        // llama.cpp answers "content", vLLM "prompt": both, so either client reads it.
        await WriteAsync(context, json =>
        {
            json.WriteString("content", text);
            json.WriteString("prompt", text);
        });
    }

    public async Task ApplyTemplateAsync(HttpContext context)
    {
        using var body = await JsonBody.ReadObjectAsync(context.Request);
        var request = ChatRequest.Parse(body.RootElement, host.ModelName, host.VocabSize);
        var prompt = prompts.Render(request);
        await WriteAsync(context, json => json.WriteString("prompt", prompt));
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.BodyWriter, JsonOutput.Options))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync();
    }
}
