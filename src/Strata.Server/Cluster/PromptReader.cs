using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine.Requests;
using Strata.Models;
using Strata.Server.Prompts;
using Strata.Server.Protocol;

namespace Strata.Server.Cluster;

/// <summary>
/// Reads an API request's prompt tokens exactly as a node will (the same parsing, chat template and tokenizer), so a
/// router in front of the nodes can derive the request's block keys.
/// </summary>
internal sealed class PromptReader(LoadedModel model)
{
    private readonly ChatPromptBuilder _chat = new(model, NullLogger<ChatPromptBuilder>.Instance);

    /// <summary>
    /// The prompt of a <c>/v1/completions</c> (<paramref name="chat"/> false) or <c>/v1/chat/completions</c> body; null
    /// when the body is not a valid request — the node it is forwarded to will tell the client why.
    /// </summary>
    public RoutedPrompt? Read(JsonElement body, bool chat)
    {
        try
        {
            if (chat)
            {
                var request = ChatRequest.Parse(body, model.Name, model.Config.VocabSize);
                var tokens = model.Tokenizer.Encode(_chat.PromptText(request), addSpecial: true, parseSpecial: true);
                return new RoutedPrompt(tokens, request.Generation.CacheSalt, request.Generation.MaxTokens, request.Generation.Stream,
                    request.Generation.Tier ?? ServiceTier.Default, Tokenized: true);
            }
            var completion = CompletionRequest.Parse(body, model.Name, model.Config.VocabSize);
            var generation = completion.Generation;
            return new RoutedPrompt(completion.Prompts[0].Tokenize(model.Tokenizer), generation.CacheSalt, generation.MaxTokens, generation.Stream,
                generation.Tier ?? ServiceTier.Default, Tokenized: completion.Prompts is [{ Tokens: null }]);
        }
        catch (ApiException)
        {
            return null;
        }
    }
}
