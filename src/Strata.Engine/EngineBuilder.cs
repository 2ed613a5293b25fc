using Microsoft.Extensions.Logging;
using Strata.Engine.Caching;
using Strata.Engine.Control;
using Strata.Engine.Core;
using Strata.Engine.Running;
using Strata.Engine.Scheduling;
using Strata.Engine.Speculation;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.KvCache.Disk;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Models.Tokenizers;

namespace Strata.Engine;

/// <summary>
/// The engine's wiring, kept apart from running it: sizes the KV pool from the options, measures the step budget,
/// derives the cache identity, opens the tiers and assembles the core. <see cref="BuildCore"/> needs no model, so tests
/// (and a simulator) assemble the very same core around a step runner of their own.
/// </summary>
internal static class EngineBuilder
{
    /// <param name="loaded">Called from a loading thread when cached blocks have come up from a lower tier.</param>
    /// <param name="kvEvents">Told of every block stored into or removed from the working pool or a tier (null: nobody listens).</param>
    public static EngineParts Build(LoadedModel model, EngineOptions options, TimeProvider clock, Action loaded, ILoggerFactory loggers, Action<KvEvent>? kvEvents)
    {
        var pool = new ComputePool(options.Threads > 0 ? options.Threads : ComputePool.DefaultThreadCount);
        KvBuffer? kv = null;
        LlamaDraftModel? draft = null;
        try
        {
            var layout = model.Model.KvLayout(options.BlockSize, options.KvDataType);
            var blockCount = (int)Math.Min(int.MaxValue, options.KvCacheBytes / layout.BlockBytes);
            if (blockCount < 1)
                throw new ArgumentException($"KV cache memory of {options.KvCacheBytes} bytes holds no {layout.BlockBytes}-byte block");
            kv = new KvBuffer(layout, blockCount);
            var contextLength = options.MaxModelLength > 0 ? options.MaxModelLength : model.Config.ContextLength;
            // A sequence must always fit alone, or preemption could never make room for it.
            var maxModelLength = Math.Min(contextLength, blockCount * options.BlockSize);
            // The measured prefill also calibrates the service-time predictor before any step is seen.
            var buffer = kv;
            var (maxBatchedTokens, calibration) = StepBudget.Choose(options, () => StepBudget.Measure(model.Model, buffer, pool));
            var costs = new Control.StepCostModel(calibration);
            var identity = new CacheIdentity(ModelFingerprint.Compute(model.File), options.KvDataType, options.BlockSize);
            // One category for the engine and its tiers, which an operator filters as one component.
            var logger = loggers.CreateLogger("Strata.Engine");
            var tiers = OpenTiers(options, identity, kv, clock, TaskScheduler.Default, loaded, logger, kvEvents);
            draft = options.Speculation is { Method: SpeculativeMethod.Draft } speculation ? LoadDraft(model, speculation, options, blockCount, pool) : null;
            var core = BuildCore(options, blockCount, maxBatchedTokens, maxModelLength, identity, tiers, model.Tokenizer,
                outputs => new ModelRunner(model.Model, buffer, pool, outputs), clock, logger, kvEvents, draft, costs);
            var admission = Admission(options, maxBatchedTokens, costs);
            return new EngineParts(core, identity, kv, pool, tiers, maxModelLength, maxBatchedTokens, admission, draft);
        }
        catch
        {
            draft?.Dispose();
            kv?.Dispose();
            pool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the draft model of <paramref name="speculation"/> beside the target, refusing one whose vocabulary differs,
    /// with its own KV pool: the bytes asked for, or as many blocks as the target's pool.
    /// </summary>
    public static LlamaDraftModel LoadDraft(LoadedModel target, SpeculationOptions speculation, EngineOptions options, int targetBlocks, ComputePool pool)
    {
        if (string.IsNullOrEmpty(speculation.DraftModelPath))
            throw new ArgumentException("--speculative draft needs --draft-model FILE");
        var draft = LoadedModel.Load(speculation.DraftModelPath);
        KvBuffer? kv = null;
        try
        {
            DraftVocabulary.Check(target.Tokenizer, draft.Tokenizer, draft.Path);
            var layout = draft.Model.KvLayout(options.BlockSize, options.KvDataType);
            var blocks = speculation.DraftKvCacheBytes > 0 ? (int)Math.Min(int.MaxValue, speculation.DraftKvCacheBytes / layout.BlockBytes) : targetBlocks;
            if (blocks < 1)
                throw new ArgumentException($"draft KV cache memory of {speculation.DraftKvCacheBytes} bytes holds no {layout.BlockBytes}-byte block");
            kv = new KvBuffer(layout, blocks);
            return new LlamaDraftModel(draft, kv, pool);
        }
        catch
        {
            kv?.Dispose();
            draft.Dispose();
            throw;
        }
    }

    /// <summary>The synchronous core over <paramref name="blockCount"/> blocks; <paramref name="runner"/> gets the outputs, whose samplers it uses.</summary>
    /// <param name="draftModel">The draft model, for <see cref="SpeculativeMethod.Draft"/>.</param>
    /// <param name="costs">The step cost model the core fits from its steps (and the speculator and admission control read); by default one with no calibration.</param>
    public static EngineCore BuildCore(EngineOptions options, int blockCount, int maxBatchedTokens, int maxModelLength, CacheIdentity identity,
        KvTierList? tiers, Tokenizer? tokenizer, Func<OutputProcessor, IStepRunner> runner, TimeProvider clock, ILogger logger, Action<KvEvent>? kvEvents = null,
        IDraftModel? draftModel = null, Control.StepCostModel? costs = null)
    {
        costs ??= new Control.StepCostModel(new StepCost(0, 0, 0, 0));
        var blocks = new BlockManager(blockCount, options.BlockSize, options.PrefixCaching);
        var pins = new PinPolicy((int)(blockCount * options.MaxPinnedFraction), options.CacheTtl, options.MaxCacheTtl, clock);
        var cache = new CacheCoordinator(blocks, identity, pins, tiers, clock, kvEvents);
        var scheduler = new Scheduler(cache, maxBatchedTokens, options.MaxSequences, Policy(options.ServiceLevels, clock));
        var outputs = new OutputProcessor(scheduler, tokenizer, maxModelLength, options.Guard);
        var speculator = options.Speculation is { } speculation ? new Speculator(speculation, maxModelLength, costs, draftModel, options.BlockSize, clock) : null;
        return new EngineCore(scheduler, cache, runner(outputs), outputs, clock, logger, costs, speculator);
    }

    /// <summary>Early rejection and the service-time predictor behind it, reading the step costs the core fits.</summary>
    public static AdmissionControl Admission(EngineOptions options, int maxBatchedTokens, Control.StepCostModel costs) =>
        new(options.ServiceLevels, new ServiceTimePredictor(maxBatchedTokens, options.MaxSequences, options.ServiceLevels.TierScheduling), costs);

    /// <summary>The order the scheduler serves sequences in, as the options ask.</summary>
    public static ISchedulingPolicy Policy(ServiceLevels levels, TimeProvider clock) =>
        levels.TierScheduling ? new TierOrder(clock, levels.AgingStep) : ArrivalOrder.Instance;

    /// <summary>The tiers the options ask for, top to bottom (a peer's hand-offs, host memory, disk, the remote store); null when there are none.</summary>
    public static KvTierList? OpenTiers(EngineOptions options, CacheIdentity identity, IBlockMemory memory, TimeProvider clock, TaskScheduler loads, Action loaded,
        ILogger logger, Action<KvEvent>? kvEvents)
    {
        if (!options.PrefixCaching)
            return null;
        if (options.HostCacheInt8 && options.HostCacheBytes > 0 && memory.Layout.IsQuantized)
            throw new ArgumentException($"an int8 host tier re-encodes F16 or F32 blocks; a {options.KvDataType} cache's blocks are stored as they are");
        var tiers = new List<IKvTier>();
        try
        {
            if (options.ReceivesHandoffs)
                tiers.Add(new PeerTier((int)memory.Layout.BlockBytes));
            if (options.HostCacheBytes > 0)
                tiers.Add(new HostTier(new HostBlockStore(options.HostCacheBytes, memory.Layout, options.HostCacheInt8)));
            if (options.DiskCacheDirectory is { } directory)
                tiers.Add(new DiskTier(DiskBlockStore.Open(new DiskStoreOptions { Directory = directory, MaxBytes = options.DiskCacheBytes, DefaultTtl = options.CacheTtl })));
            if (RemoteTier.FromUrl(options.RemoteCacheUrl, identity.Fingerprint, options.CacheTtl, options.RemoteCacheTimeout, message => logger.LogWarning("{Message}", message)) is { } remote)
                tiers.Add(remote);
        }
        catch
        {
            foreach (var tier in tiers)
                tier.Dispose();
            throw;
        }
        return tiers.Count == 0 ? null : new KvTierList(tiers, memory, clock, loads, loaded, kvEvents);
    }
}
