using System.Threading.Channels;

namespace Strata.Engine.Requests;

/// <summary>A submitted request: its events arrive on <see cref="Events"/> until every choice has finished.</summary>
public sealed class GenerationHandle
{
    internal GenerationHandle(string id, int promptTokens, ChannelReader<GenerationEvent> events, RequestTimeline timeline)
    {
        Id = id;
        PromptTokens = promptTokens;
        Events = events;
        Timeline = timeline;
    }

    public string Id { get; }

    public int PromptTokens { get; }

    /// <summary>Prompt tokens whose KV came from the prefix cache instead of being computed.</summary>
    public int CachedTokens { get; internal set; }

    public ChannelReader<GenerationEvent> Events { get; }

    /// <summary>Where the request spent its time; complete once <see cref="Events"/> has completed.</summary>
    public RequestTimeline Timeline { get; }

    /// <summary>The time to first token predicted when the request was submitted (null when none was made).</summary>
    public TimeSpan? PredictedTimeToFirstToken { get; internal set; }
}
