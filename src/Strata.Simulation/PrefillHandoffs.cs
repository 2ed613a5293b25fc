using Strata.KvCache.Prefix;
using Strata.Simulation.Routing;

namespace Strata.Simulation;

/// <summary>
/// The prefill side of an xP+yD cluster, as the router and nodes run it: a request goes to a prefill node when its
/// decode node would compute at least the threshold's tokens of its prompt (the router's conditional disaggregation);
/// the prefill node computes the prompt and one token; the prompt's full blocks (all but the one holding its last
/// token, as a lease holds them) then cross the prefill node's link — one transfer at a time, at the bandwidth — and
/// the request reaches its decode node, after the server's time per request again, with the blocks for its peer tier.
/// </summary>
internal sealed class PrefillHandoffs(Disaggregation settings, IReadOnlyList<SimNode> prefillNodes, IRouter router, BlockHolders holders, CacheIdentity identity,
    long requestOverhead)
{
    private readonly BlockKey _root = identity.Root("", "");
    private readonly List<BlockKey> _keys = [];
    private readonly Dictionary<int, (SimRequest Request, SimNode Decode, long Arrived)> _legs = [];
    private readonly long[] _linkFree = new long[prefillNodes.Count];
    private readonly PriorityQueue<Handoff, long> _due = new();

    public int Count => _due.Count;

    /// <summary>When the next hand-off reaches its decode node; <see cref="long.MaxValue"/> when none is under way.</summary>
    public long Next => _due.TryPeek(out _, out var time) ? time : long.MaxValue;

    /// <summary>Prompts sent to prefill nodes, and of them those whose blocks crossed to a decode node.</summary>
    public long Sent { get; private set; }

    public long TransferredBlocks { get; private set; }

    /// <summary>Whether <paramref name="decode"/> would compute at least the threshold's tokens of the prompt: what it does not hold of it.</summary>
    public bool Disaggregates(SimRequest request, SimNode decode)
    {
        var fullBlocks = (request.Prompt.Length - 1) / identity.BlockSize;
        _keys.Clear();
        if (fullBlocks > 0)
            identity.Extend(_keys, _root, request.Prompt, fullBlocks);
        return request.Prompt.Length - holders.Leading(_keys, decode.Index) * identity.BlockSize >= settings.Threshold;
    }

    /// <summary>The prefill node that computes the prompt; the request goes on to <paramref name="decode"/> once it has.</summary>
    public SimNode Route(SimRequest request, int number, SimNode decode, long arrived)
    {
        _legs.Add(number, (request, decode, arrived));
        Sent++;
        return router.Route(request, prefillNodes);
    }

    /// <summary>A prefill node finished a prompt (<paramref name="leg"/>): its blocks start across, or a refused prompt is the request's outcome.</summary>
    public void Computed(RequestOutcome leg, List<RequestOutcome> outcomes)
    {
        _legs.Remove(leg.Number, out var pending);
        if (leg.Error is not null)
        {
            outcomes.Add(leg);
            return;
        }
        var prompt = pending.Request.Prompt;
        var fullBlocks = (prompt.Length - 1) / identity.BlockSize;
        _keys.Clear();
        if (fullBlocks > 0)
            identity.Extend(_keys, _root, prompt, fullBlocks);
        var blocks = new CachedBlock[fullBlocks];
        for (var i = 0; i < fullBlocks; i++)
            blocks[i] = new CachedBlock(_keys[i], i == 0 ? _root : _keys[i - 1], prompt.AsSpan(i * identity.BlockSize, identity.BlockSize).ToArray());
        var link = leg.Node - prefillNodes[0].Index;
        var computed = pending.Arrived + VirtualClock.ToTicks(leg.EndToEndSeconds);
        var start = Math.Max(computed, _linkFree[link]);
        _linkFree[link] = start + VirtualClock.ToTicks(settings.TransferSeconds(fullBlocks));
        TransferredBlocks += fullBlocks;
        _due.Enqueue(new Handoff(pending.Request, leg.Number, pending.Decode, pending.Arrived, blocks), _linkFree[link] + requestOverhead);
    }

    public Handoff Take() => _due.Dequeue();
}
