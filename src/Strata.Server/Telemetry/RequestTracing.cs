using System.Diagnostics;
using Strata.Engine.Requests;

namespace Strata.Server.Telemetry;

/// <summary>
/// The spans of one generation request, below ASP.NET Core's request span: a span named as the GenAI conventions
/// name it (<c>text_completion MODEL</c> or <c>chat MODEL</c>) with the request's token counts, and beneath it, from the
/// engine's <see cref="RequestTimeline"/>: <c>strata.queued</c> (submitted to admitted), <c>strata.tier_load</c> per
/// load of cached blocks from a lower tier, a <c>strata.prefix_match</c> event, <c>strata.prefill</c> per prefill chunk
/// and <c>strata.decode</c> (first decode step to last).
/// </summary>
internal static class RequestTracing
{
    public const string SourceName = "Strata.Server";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The request's span, or null when nobody listens (then tracing costs nothing).</summary>
    public static Activity? Start(string operation, string model, int maxTokens, int choices)
    {
        var activity = Source.StartActivity($"{operation} {model}", ActivityKind.Internal);
        if (activity is null)
            return null;
        activity.SetTag("gen_ai.operation.name", operation);
        activity.SetTag("gen_ai.provider.name", "strata");
        activity.SetTag("gen_ai.request.model", model);
        activity.SetTag("gen_ai.request.max_tokens", maxTokens);
        if (choices > 1)
            activity.SetTag("gen_ai.request.choice.count", choices);
        return activity;
    }

    /// <summary>
    /// Ends the request's span. A request that ran to its end gets its token counts and the engine's spans; one that
    /// was cancelled or failed gets an error status (its timeline may still be changing on the engine thread).
    /// </summary>
    public static void Finish(Activity activity, IReadOnlyList<GenerationHandle> handles, int completionTokens, string[] finishReasons, bool completed)
    {
        activity.SetTag("strata.request.id", string.Join(",", handles.Select(h => h.Id)));
        activity.SetTag("gen_ai.usage.input_tokens", handles.Sum(h => h.PromptTokens));
        activity.SetTag("gen_ai.usage.output_tokens", completionTokens);
        activity.SetTag("strata.cached_tokens", handles.Sum(h => h.CachedTokens));
        activity.SetTag("gen_ai.response.finish_reasons", finishReasons);
        if (completed)
        {
            foreach (var handle in handles)
                AddTimeline(activity, handle.Timeline);
        }
        else
        {
            activity.SetStatus(ActivityStatusCode.Error, "cancelled or failed before it finished");
        }
        activity.Stop();
    }

    private static void AddTimeline(Activity parent, RequestTimeline timeline)
    {
        if (timeline.Admitted is not { } admitted)
            return;
        var clock = new Clock(timeline, timeline.SubmittedUtc());
        Child(parent, "strata.queued", clock, timeline.Submitted, admitted);
        parent.AddEvent(new ActivityEvent("strata.prefix_match", clock.At(admitted), new ActivityTagsCollection
        {
            ["strata.cached_tokens"] = timeline.CachedTokens,
            ["strata.cached_blocks.pool"] = timeline.PoolBlocks,
            ["strata.cached_blocks.loaded"] = timeline.LoadedBlocks,
        }));
        foreach (var load in timeline.Loads)
            Child(parent, "strata.tier_load", clock, load.Start, load.End, [new("strata.tier", load.Tier ?? "none"), new("strata.blocks", load.Blocks)]);
        foreach (var chunk in timeline.Prefill)
            Child(parent, "strata.prefill", clock, chunk.Start, chunk.End, [new("strata.tokens", chunk.Count)]);
        if (timeline.Decode is { } decode)
            Child(parent, "strata.decode", clock, decode.Start, decode.End, [new("strata.steps", decode.Count)]);
    }

    /// <summary>A finished child span over a stretch the engine timed.</summary>
    private static void Child(Activity parent, string name, Clock clock, long start, long end, KeyValuePair<string, object?>[]? tags = null)
    {
        using var span = Source.CreateActivity(name, ActivityKind.Internal, parent.Context, tags);
        if (span is null)
            return;
        span.SetStartTime(clock.At(start));
        span.Start();
        span.SetEndTime(clock.At(end));
    }

    /// <summary>Turns the engine's timestamps into UTC times from one reading of its clock.</summary>
    private readonly record struct Clock(RequestTimeline Timeline, DateTime SubmittedUtc)
    {
        public DateTime At(long timestamp) => SubmittedUtc + Timeline.Elapsed(Timeline.Submitted, timestamp);
    }
}
