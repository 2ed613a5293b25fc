using Strata.Engine;
using Strata.Server.Cluster;

namespace Strata.Server.Tests;

public sealed class KvEventFeedTests
{
    [Fact]
    public void Subscribe_Late_GetsTheCurrentStateThenEveryChange()
    {
        var feed = new KvEventFeed();
        feed.Publish(KvEventKind.Stored, "a", KvEvent.Pool);
        feed.Publish(KvEventKind.Stored, "b", KvEvent.Pool);
        feed.Publish(KvEventKind.Removed, "a", KvEvent.Pool);
        feed.Publish(KvEventKind.Stored, "a", "host");

        var reader = feed.Subscribe();
        feed.Publish(KvEventKind.Removed, "b", KvEvent.Pool);

        var events = new List<NodeKvEvent>();
        while (reader.TryRead(out var kvEvent))
            events.Add(kvEvent);
        Assert.Equal(3, events.Count);
        Assert.Contains(new NodeKvEvent(KvEventKind.Stored, "b", KvEvent.Pool), events[..2]);
        Assert.Contains(new NodeKvEvent(KvEventKind.Stored, "a", "host"), events[..2]);
        Assert.Equal(new NodeKvEvent(KvEventKind.Removed, "b", KvEvent.Pool), events[2]);
        Assert.Equal(0, feed.Count(KvEvent.Pool));
    }

    [Fact]
    public void Publish_RemovalOfAnUnknownBlock_IsNotPassedOn()
    {
        var feed = new KvEventFeed();
        var reader = feed.Subscribe();
        feed.Publish(KvEventKind.Removed, "a", KvEvent.Pool);
        feed.Unsubscribe(reader);
        feed.Publish(KvEventKind.Stored, "b", KvEvent.Pool);

        Assert.False(reader.TryRead(out _));
    }
}
