using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Tests.Core;

namespace Strata.Engine.Tests.Running;

public sealed class RequestStateTests
{
    [Fact]
    public void Publish_Streamed_EveryEventIsReadableAtOnce()
    {
        var (state, events) = Published(streamed: true);

        Assert.Equal(events, ReadAvailable(state));
        Assert.False(state.Handle.Events.Completion.IsCompleted);
    }

    [Fact]
    public void Publish_NotStreamed_TheFirstEventAtOnceAndTheRestInOrderWhenComplete()
    {
        var (state, events) = Published(streamed: false);

        Assert.Equal(events[..1], ReadAvailable(state));
        state.Complete();
        Assert.Equal(events[1..], ReadAvailable(state));
        Assert.True(state.Handle.Events.Completion.IsCompleted);
    }

    private static (RequestState State, GenerationEvent[] Events) Published(bool streamed)
    {
        var request = CoreHarness.Greedy(CoreHarness.Prompt(1, 4), 8) with { Streamed = streamed };
        var state = new RequestState("req-1", 0, request, 0, default);
        state.CreateHandle();
        GenerationEvent[] events =
        [
            new TokenEvent(0, 5, "a", null, []),
            new TokenEvent(0, 6, "b", null, []),
            new FinishEvent(0, FinishReason.Length, "", 2),
        ];
        foreach (var e in events)
            state.Publish(e);
        return (state, events);
    }

    private static List<GenerationEvent> ReadAvailable(RequestState state)
    {
        var read = new List<GenerationEvent>();
        while (state.Handle.Events.TryRead(out var e))
            read.Add(e);
        return read;
    }
}
