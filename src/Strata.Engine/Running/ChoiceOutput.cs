using Strata.Engine.Generation;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.Engine.Speculation;

namespace Strata.Engine.Running;

/// <summary>
/// What becomes of one choice's tokens, kept apart from its <see cref="Scheduling.Sequence"/> (which is token ids
/// only): the sampler that picks them, the detokenizer that turns them into text (none without a tokenizer), and the
/// request whose channel they are published on.
/// </summary>
internal sealed class ChoiceOutput(RequestState request, int choice, Sequence sequence, Sampler sampler, OutputDetokenizer? text)
{
    public RequestState Request { get; } = request;

    public int Choice { get; } = choice;

    public Sequence Sequence { get; } = sequence;

    public Sampler Sampler { get; } = sampler;

    public OutputDetokenizer? Text { get; } = text;

    /// <summary>Its draft proposer and adaptive draft length, once it decodes with speculation on.</summary>
    public SequenceSpeculation? Speculation { get; set; }

    /// <summary>Tokens published so far.</summary>
    public int Emitted { get; set; }

    public bool IsFinished { get; set; }
}
