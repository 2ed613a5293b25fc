namespace Strata.Engine.Scheduling;

/// <summary>Tokens [Start, Start + Count) of a sequence to run this step; the last chunk of its known tokens yields a new token.</summary>
internal readonly record struct ScheduledChunk(Sequence Sequence, int Start, int Count)
{
    public bool ProducesToken => Start + Count == Sequence.Length;
}
