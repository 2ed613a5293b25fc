using Strata.Engine.Caching;
using Strata.Engine.Control;
using Strata.Engine.Core;
using Strata.Engine.Speculation;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.KvCache.Prefix;
using Strata.Models.Kv;

namespace Strata.Engine;

/// <summary>An engine as <see cref="EngineBuilder"/> assembles it for a model: the core and the resources it runs on.</summary>
internal sealed class EngineParts(EngineCore core, CacheIdentity identity, KvBuffer kv, ComputePool pool, KvTierList? tiers, int maxModelLength, int maxBatchedTokens,
    AdmissionControl admission, LlamaDraftModel? draft = null) : IDisposable
{
    public EngineCore Core { get; } = core;

    public CacheIdentity Identity { get; } = identity;

    public KvTierList? Tiers { get; } = tiers;

    public int BlockCount => kv.BlockCount;

    /// <summary>The working pool's bytes, which a lease's pull reads.</summary>
    public IBlockMemory Memory => kv;

    public int MaxModelLength { get; } = maxModelLength;

    public int MaxBatchedTokens { get; } = maxBatchedTokens;

    /// <summary>The service-time predictor and early rejection, fed with the core's steps.</summary>
    public AdmissionControl Admission { get; } = admission;

    /// <summary>Drains the tiers' pending writes, then frees the KV memory and the compute threads.</summary>
    public void Dispose()
    {
        Tiers?.Dispose();
        kv.Dispose();
        draft?.Dispose();
        pool.Dispose();
    }
}
