using System.Threading.Channels;
using Strata.Engine;

namespace Strata.Server.Cluster;

/// <summary>
/// The node's KV events for routers: it keeps which blocks each tier holds, so a subscriber that joins late first gets
/// that state as stored events and then every change, in order. Whoever starts the engine feeds it the engine's KV
/// events (keys as their 32 hex digits, so the server names no KvCache type); it never blocks the engine thread.
/// </summary>
public sealed class KvEventFeed
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _tiers = [];
    private readonly List<Channel<NodeKvEvent>> _subscribers = [];

    /// <summary>Records one event and hands it to every subscriber.</summary>
    public void Publish(KvEventKind kind, string key, string tier)
    {
        var kvEvent = new NodeKvEvent(kind, key, tier);
        lock (_lock)
        {
            if (!_tiers.TryGetValue(tier, out var blocks))
                _tiers[tier] = blocks = [];
            if (kind == KvEventKind.Stored ? blocks.Add(key) : blocks.Remove(key))
                foreach (var subscriber in _subscribers)
                    subscriber.Writer.TryWrite(kvEvent);
        }
    }

    /// <summary>How many blocks <paramref name="tier"/> holds as the events tell it.</summary>
    public int Count(string tier)
    {
        lock (_lock)
            return _tiers.TryGetValue(tier, out var blocks) ? blocks.Count : 0;
    }

    /// <summary>The current state as stored events, then every later event, until <see cref="Unsubscribe"/>.</summary>
    internal ChannelReader<NodeKvEvent> Subscribe()
    {
        var channel = Channel.CreateUnbounded<NodeKvEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            foreach (var (tier, blocks) in _tiers)
                foreach (var key in blocks)
                    channel.Writer.TryWrite(new NodeKvEvent(KvEventKind.Stored, key, tier));
            _subscribers.Add(channel);
        }
        return channel.Reader;
    }

    internal void Unsubscribe(ChannelReader<NodeKvEvent> reader)
    {
        lock (_lock)
            _subscribers.RemoveAll(channel => channel.Reader == reader);
    }
}
