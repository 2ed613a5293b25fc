namespace Strata.Engine;

/// <summary>One KV tier below the working pool: what it holds, how its reads went and what it loaded into the pool.</summary>
public sealed record TierStats
{
    /// <summary>The tier's name, as metrics label it: host, disk, remote.</summary>
    public required string Name { get; init; }

    /// <summary>Blocks and bytes the tier holds, when it can know (a shared store cannot).</summary>
    public long? Blocks { get; init; }

    public long? Bytes { get; init; }

    /// <summary>Block reads the tier answered and could not answer.</summary>
    public long Hits { get; init; }

    public long Misses { get; init; }

    /// <summary>Bytes stored into the tier.</summary>
    public long BytesWritten { get; init; }

    /// <summary>Blocks the tier dropped to stay within its size, when it has one.</summary>
    public long? Evictions { get; init; }

    /// <summary>Blocks and bytes this tier loaded into the working pool, and the time it took (bytes / seconds is its rate).</summary>
    public long LoadedBlocks { get; init; }

    public long LoadedBytes { get; init; }

    public double LoadSeconds { get; init; }

    /// <summary>Counters only this kind of tier has (compactions, breaker state…).</summary>
    public IReadOnlyList<TierCounter> Details { get; init; } = [];

    /// <summary>The value of the detail named <paramref name="name"/>, if the tier has it.</summary>
    public double? Detail(string name) => Details.FirstOrDefault(d => d.Name == name) is { Name: not null } detail ? detail.Value : null;
}
