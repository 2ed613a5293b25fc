using System.Threading.Channels;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Scheduling;

/// <summary>The engine's bookkeeping for one submitted request: its choices and the channel their events go to.</summary>
internal sealed class RequestState(string id, long arrival, GenerationRequest request, Sampler[] samplers, BlockKey cacheRoot, CancellationToken cancellation)
{
    private readonly Channel<GenerationEvent> _events = Channel.CreateUnbounded<GenerationEvent>(
        new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });

    private bool _admitted;

    public string Id { get; } = id;

    /// <summary>Arrival order; earlier requests have priority and later ones are preempted first.</summary>
    public long Arrival { get; } = arrival;

    public GenerationRequest Request { get; } = request;

    public CancellationToken Cancellation { get; } = cancellation;

    public RequestTimeline Timeline { get; } = new(System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Where this request's chain of block keys starts: the model fingerprint and the tenant's salt.</summary>
    public BlockKey CacheRoot { get; } = cacheRoot;

    /// <summary>One sampler per choice, each with its own random stream.</summary>
    public Sampler[] Samplers { get; } = samplers;

    public List<Sequence> Sequences { get; } = [];

    public GenerationHandle Handle { get; private set; } = null!;

    public int UnfinishedChoices { get; set; } = request.Choices;

    public bool IsCancelled => Cancellation.IsCancellationRequested;

    /// <summary>Records how many prompt tokens came from the cache when the request was first admitted; false if it was admitted before.</summary>
    public bool NoteCachedTokens(int tokens)
    {
        if (_admitted)
            return false;
        _admitted = true;
        Handle.CachedTokens = tokens;
        return true;
    }

    public GenerationHandle CreateHandle() => Handle = new GenerationHandle(Id, Request.PromptTokens.Length, _events.Reader, Timeline);

    public void Publish(GenerationEvent e) => _events.Writer.TryWrite(e);

    public void Complete() => _events.Writer.TryComplete();
}
