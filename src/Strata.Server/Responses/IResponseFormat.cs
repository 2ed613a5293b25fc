using System.Text.Json;
using Strata.Server.Generation;

namespace Strata.Server.Responses;

/// <summary>What differs between the completions and the chat API's responses: names, and the shape of a choice.</summary>
internal interface IResponseFormat
{
    string IdPrefix { get; }

    /// <summary>The <c>object</c> of a complete response.</summary>
    string ObjectName { get; }

    /// <summary>The <c>object</c> of a streamed chunk.</summary>
    string ChunkObjectName { get; }

    /// <summary>Whether a stream opens each choice with a chunk of its own (chat announces the assistant role).</summary>
    bool OpensChoices { get; }

    void WriteOpening(Utf8JsonWriter json, int index);

    void WriteChoice(Utf8JsonWriter json, ChoiceOutput choice);

    void WriteDelta(Utf8JsonWriter json, ChoiceUpdate update);
}
