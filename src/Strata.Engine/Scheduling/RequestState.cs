using System.Threading.Channels;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;

namespace Strata.Engine.Scheduling;

/// <summary>The engine's bookkeeping for one submitted request: its choices and the channel their events go to.</summary>
internal sealed class RequestState(string id, long arrival, GenerationRequest request, Sampler[] samplers, CancellationToken cancellation)
{
    private readonly Channel<GenerationEvent> _events = Channel.CreateUnbounded<GenerationEvent>(
        new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });

    public string Id { get; } = id;

    /// <summary>Arrival order; earlier requests have priority and later ones are preempted first.</summary>
    public long Arrival { get; } = arrival;

    public GenerationRequest Request { get; } = request;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>One sampler per choice, each with its own random stream.</summary>
    public Sampler[] Samplers { get; } = samplers;

    public List<Sequence> Sequences { get; } = [];

    public GenerationHandle Handle { get; private set; } = null!;

    public int UnfinishedChoices { get; set; } = request.Choices;

    public bool IsCancelled => Cancellation.IsCancellationRequested;

    public GenerationHandle CreateHandle() => Handle = new GenerationHandle(Id, Request.PromptTokens.Length, _events.Reader);

    public void Publish(GenerationEvent e) => _events.Writer.TryWrite(e);

    public void Complete() => _events.Writer.TryComplete();
}
