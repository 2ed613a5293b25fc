using Strata.Engine.Control;
using Strata.Engine.Guard;
using Strata.Engine.Speculation;
using Strata.KvCache;

namespace Strata.Engine;

/// <summary>How the engine sizes its KV cache and batches work.</summary>
public sealed record EngineOptions
{
    /// <summary>Tokens per KV block.</summary>
    public int BlockSize { get; init; } = 16;

    /// <summary>Bytes of KV cache memory; the number of blocks follows from the model's block size in bytes.</summary>
    public long KvCacheBytes { get; init; } = 2L << 30;

    public KvDataType KvDataType { get; init; } = KvDataType.F16;

    /// <summary>Token budget of one engine step (decodes plus prefill chunks); 0 derives it from the measured step cost.</summary>
    public int MaxBatchedTokens { get; init; }

    /// <summary>Sequences that may run at once.</summary>
    public int MaxSequences { get; init; } = 64;

    /// <summary>Requests that may wait for admission before new ones are refused.</summary>
    public int MaxQueue { get; init; } = 1024;

    /// <summary>Compute threads; 0 means every core.</summary>
    public int Threads { get; init; }

    /// <summary>Longest sequence (prompt plus output); 0 means the model's context length.</summary>
    public int MaxModelLength { get; init; }

    /// <summary>Reuse the KV of cached prompt prefixes (full blocks, matched by content).</summary>
    public bool PrefixCaching { get; init; } = true;

    /// <summary>Bytes of host memory for blocks evicted from the working pool (0: no host tier).</summary>
    public long HostCacheBytes { get; init; }

    /// <summary>Keep host-tier blocks as int8 with per-group scales (about half the memory of F16).</summary>
    public bool HostCacheInt8 { get; init; }

    /// <summary>Directory of the disk tier's segment files (null: no disk tier). Blocks survive restarts there.</summary>
    public string? DiskCacheDirectory { get; init; }

    /// <summary>Size cap of the disk tier; the coldest blocks go first.</summary>
    public long DiskCacheBytes { get; init; } = 16L << 30;

    /// <summary>A shared store over the Redis protocol, <c>redis://host:port[,host:port…]</c> (null: no remote tier).</summary>
    public string? RemoteCacheUrl { get; init; }

    /// <summary>
    /// Longest wait for the remote store to connect or answer one operation; past it the tier is skipped (and counted
    /// towards its breaker). Short by default, since the tier only saves work; a store across a slower network needs more.
    /// </summary>
    public TimeSpan RemoteCacheTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Accept prompts' KV blocks handed over by prefill nodes (a decode node): a peer tier at the top of the list.</summary>
    public bool ReceivesHandoffs { get; init; }

    /// <summary>How long this node holds a computed prompt's blocks for a decode node that has not pulled them (a prefill node).</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long blocks are kept in the persistent tiers unless a request asks otherwise.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Longest time a request may ask its cached prefix to be kept (pinned in memory, or on disk).</summary>
    public TimeSpan MaxCacheTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>At most this fraction of the KV blocks may be pinned by requests.</summary>
    public double MaxPinnedFraction { get; init; } = 0.5;

    /// <summary>The content guard every sequence's output passes through (null: none). The caller owns and disposes it.</summary>
    public ContentGuard? Guard { get; init; }

    /// <summary>Service tiers: scheduling order, latency targets per tier and early rejection.</summary>
    public ServiceLevels ServiceLevels { get; init; } = new();

    /// <summary>Speculative decoding (null: off): draft tokens from a proposer, verified in the batched step.</summary>
    public SpeculationOptions? Speculation { get; init; }

    /// <summary>How long a step should take at most when it carries prefill work, so streams stay smooth.</summary>
    public TimeSpan TargetStepTime { get; init; } = TimeSpan.FromMilliseconds(100);
}
