using System.Threading.Channels;
using Strata.Engine.Requests;

namespace Strata.Engine.Running;

/// <summary>The engine's bookkeeping for one submitted request: its choices' outputs and the channel their events go to.</summary>
internal sealed class RequestState(string id, long arrival, GenerationRequest request, ulong seed, CancellationToken cancellation)
{
    private readonly Channel<GenerationEvent> _events = Channel.CreateUnbounded<GenerationEvent>(
        new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });
    private List<GenerationEvent>? _held;

    public string Id { get; } = id;

    /// <summary>When the request was submitted, as a timestamp of the engine's clock.</summary>
    public long Arrival { get; } = arrival;

    public GenerationRequest Request { get; } = request;

    /// <summary>The seed of choice 0's random stream; choice c uses seed + c.</summary>
    public ulong Seed { get; } = seed;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>One output per choice, in choice order.</summary>
    public List<ChoiceOutput> Choices { get; } = [];

    /// <summary>Where the request spends its time, as its first choice runs.</summary>
    public RequestTimeline Timeline { get; } = new(arrival);

    public GenerationHandle Handle { get; private set; } = null!;

    public int UnfinishedChoices { get; set; } = request.Choices;

    public bool IsCancelled => Cancellation.IsCancellationRequested;

    public GenerationHandle CreateHandle() => Handle = new GenerationHandle(Id, Request.PromptTokens.Length, _events.Reader, Timeline);

    /// <summary>Queues an event for the reader; a request not <see cref="GenerationRequest.Streamed"/> holds all but its first until it completes.</summary>
    public void Publish(GenerationEvent e)
    {
        if (_held is null)
            _events.Writer.TryWrite(e);
        else
            _held.Add(e);
        if (!Request.Streamed)
            _held ??= [];
    }

    public void Complete()
    {
        foreach (var e in _held ?? [])
            _events.Writer.TryWrite(e);
        _held = null;
        _events.Writer.TryComplete();
    }
}
