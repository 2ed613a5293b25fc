namespace Strata.Engine.Tests.Core;

/// <summary>One step as a runner saw it: the chunks it was asked to run and the tokens it returned, by sequence id.</summary>
internal sealed record StepTrace(IReadOnlyList<ChunkTrace> Chunks, IReadOnlyList<(long Sequence, int Token)> Tokens)
{
    public int TokenCount => Chunks.Sum(c => c.Count + c.Drafts.Length);
}

internal sealed record ChunkTrace(long Sequence, int Start, int Count, int[] Drafts, long[] Forks)
{
    public bool Equals(ChunkTrace? other) =>
        other is not null && (Sequence, Start, Count) == (other.Sequence, other.Start, other.Count)
        && Drafts.SequenceEqual(other.Drafts) && Forks.SequenceEqual(other.Forks);

    public override int GetHashCode() => HashCode.Combine(Sequence, Start, Count);

    public override string ToString() => $"seq-{Sequence} [{Start}, {Start + Count}) drafts [{string.Join(' ', Drafts)}] forks [{string.Join(' ', Forks)}]";
}
