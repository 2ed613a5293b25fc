using Microsoft.AspNetCore.Http;
using Strata.Engine.Requests;
using Strata.Server.Generation;
using Strata.Server.Http;
using Strata.Server.Protocol;

namespace Strata.Server.Responses;

/// <summary>Waits for every choice to finish and answers with one JSON completion object, usage included.</summary>
internal static class JsonResponder
{
    /// <summary>Per prompt, the <c>n</c> choices whose tokens are most likely together, numbered afresh.</summary>
    private static List<ChoiceOutput> BestOf(ChoiceOutput[] choices, ActiveGeneration generation)
    {
        var kept = choices.Chunk(generation.ChoicesPerPrompt)
            .SelectMany(group => group.OrderByDescending(c => c.CumulativeLogprob).ThenBy(c => c.Index).Take(generation.ReturnedPerPrompt))
            .ToList();
        for (var i = 0; i < kept.Count; i++)
            kept[i].Index = i;
        return kept;
    }

    public static async Task WriteAsync(HttpResponse response, ActiveGeneration generation, IResponseFormat format, ResponseHeader header)
    {
        var choices = Enumerable.Range(0, generation.Choices).Select(i => new ChoiceOutput(i)).ToArray();
        while (await generation.WaitToReadAsync())
        {
            while (generation.TryRead(out var update))
                choices[update.Choice].Apply(update);
        }
        if (generation.ClientGone)
        {
            response.StatusCode = ClientAbort.Status;
            return;
        }
        if (choices.Any(c => c.Finish == FinishReason.Error))
            throw new ApiException(new ApiError(StatusCodes.Status500InternalServerError, "The engine failed while generating this response.", ApiError.ServerError));
        if (choices.Any(c => c.Finish == FinishReason.Cancelled))
            throw new ApiException(new ApiError(StatusCodes.Status503ServiceUnavailable, "The server is shutting down.", ApiError.ServerError, null, "shutting_down"));

        IReadOnlyList<ChoiceOutput> returned = generation.ReturnedPerPrompt < generation.ChoicesPerPrompt ? BestOf(choices, generation) : choices;
        response.ContentType = "application/json";
        await using (var json = new System.Text.Json.Utf8JsonWriter(response.BodyWriter, JsonOutput.Options))
        {
            header.WriteStart(json, format.ObjectName);
            json.WriteStartArray("choices");
            foreach (var choice in returned)
                format.WriteChoice(json, choice);
            json.WriteEndArray();
            ResponseHeader.WriteUsage(json, generation, choices.Sum(c => c.CompletionTokens));
            json.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync();
    }
}
