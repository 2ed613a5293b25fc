using System.Collections.Concurrent;
using System.Diagnostics;
using Strata.Engine.Caching;
using Strata.Engine.Constraints;
using Strata.Engine.Guard;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.Engine.Scheduling;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.KvCache.Disk;
using Strata.KvCache.Host;
using Strata.KvCache.Prefix;
using Strata.KvCache.Remote;
using Strata.Models;
using Strata.Models.Kv;

namespace Strata.Engine;

/// <summary>
/// The serving engine: a loop on its own thread that admits submitted requests, and then step after step
/// schedules a batch, runs it through the model and applies the sampled tokens. Requests come in through
/// <see cref="Submit"/> from any thread; their tokens stream back on each request's channel.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentQueue<RequestState> _incoming = new();
    private readonly ConcurrentQueue<Action> _onLoop = new();
    private readonly List<RequestState> _active = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly ComputePool _pool;
    private readonly KvBuffer _kv;
    private readonly Scheduler _scheduler;
    private readonly ModelRunner _runner;
    private readonly OutputProcessor _outputs;
    private readonly Thread _loop;
    private readonly byte[] _fingerprint;
    private readonly PinPolicy _pins;
    private readonly KvTiers? _tiers;
    private volatile bool _stopping;
    private long _nextRequest;
    private long _promptTokens;
    private long _generatedTokens;
    private long _steps;

    private InferenceEngine(LoadedModel model, EngineOptions options)
    {
        Model = model;
        Options = options;
        _pool = new ComputePool(options.Threads > 0 ? options.Threads : ComputePool.DefaultThreadCount);
        var layout = model.Model.KvLayout(options.BlockSize, options.KvDataType);
        var blockCount = (int)Math.Min(int.MaxValue, options.KvCacheBytes / layout.BlockBytes);
        if (blockCount < 1)
            throw new ArgumentException($"KV cache memory of {options.KvCacheBytes} bytes holds no {layout.BlockBytes}-byte block");
        _kv = new KvBuffer(layout, blockCount);
        var contextLength = options.MaxModelLength > 0 ? options.MaxModelLength : model.Config.ContextLength;
        // A sequence must always fit alone, or preemption could never make room for it.
        MaxModelLength = Math.Min(contextLength, blockCount * options.BlockSize);
        MaxBatchedTokens = options.MaxBatchedTokens > 0 ? options.MaxBatchedTokens : StepBudget.Measure(model.Model, _kv, _pool, options);
        _fingerprint = CacheFingerprint(model, options);
        var pins = new PinPolicy((int)(blockCount * options.MaxPinnedFraction), options.CacheTtl, options.MaxCacheTtl, TimeProvider.System);
        var blocks = new BlockManager(blockCount, options.BlockSize, options.PrefixCaching);
        _tiers = CreateTiers(options, layout);
        blocks.Evicted = _tiers is null ? null : _tiers.Demote;
        _scheduler = new Scheduler(blocks, MaxBatchedTokens, options.MaxSequences, pins, _tiers);
        _pins = pins;
        _runner = new ModelRunner(model.Model, _kv, _pool);
        _outputs = new OutputProcessor(_scheduler, model.Tokenizer, MaxModelLength, options.Guard);
        Stats = Snapshot();
        _loop = new Thread(Loop) { IsBackground = true, Name = "strata-engine" };
        _loop.Start();
    }

    public LoadedModel Model { get; }

    public EngineOptions Options { get; }

    /// <summary>Longest sequence (prompt plus output) the engine accepts.</summary>
    public int MaxModelLength { get; }

    public int MaxBatchedTokens { get; }

    public int KvBlockCount => _kv.BlockCount;

    public EngineStats Stats { get; private set; }

    /// <summary>Counters of the host-memory tier, when there is one.</summary>
    public HostStoreStats? HostCacheStats => _tiers?.Host?.Stats;

    /// <summary>Counters of the disk tier, when there is one.</summary>
    public DiskStoreStats? DiskCacheStats => _tiers?.Disk?.Stats;

    /// <summary>Blocks and bytes each lower tier has loaded, and the time it took.</summary>
    public IReadOnlyDictionary<string, TierTraffic> TierTraffic => _tiers?.Traffic ?? new Dictionary<string, TierTraffic>();

    /// <summary>Counters of the remote tier, when there is one.</summary>
    public RemoteStoreStats? RemoteCacheStats => _tiers?.Remote?.Store.Stats;

    /// <summary>Completes when every full block written through so far is durable on disk.</summary>
    public Task FlushCacheAsync() => _tiers?.FlushAsync() ?? Task.CompletedTask;

    public static InferenceEngine Start(LoadedModel model, EngineOptions options) => new(model, options);

    /// <summary>
    /// Queues a request. Throws <see cref="RequestRejectedException"/> when it can never run (empty, too long, bad
    /// token ids) or the queue is full. Cancelling <paramref name="cancellation"/> frees its blocks within a step.
    /// </summary>
    public GenerationHandle Submit(GenerationRequest request, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        Validate(request);
        if (_scheduler.WaitingCount + _incoming.Count >= Options.MaxQueue)
            throw new RequestRejectedException($"the server is busy: {Options.MaxQueue} requests are already waiting", overloaded: true);
        var id = Interlocked.Increment(ref _nextRequest);
        var seed = request.Sampling.Seed ?? (ulong)Random.Shared.NextInt64();
        var samplers = Enumerable.Range(0, request.Choices)
            .Select(choice => new Sampler(request.Sampling, seed + (ulong)choice, Constraints(request, Options.Guard))).ToArray();
        var state = new RequestState($"req-{id}", id, request, samplers, BlockKey.Root(_fingerprint, request.CacheSalt), cancellation);
        var handle = state.CreateHandle();
        _incoming.Enqueue(state);
        cancellation.Register(() => _wake.Set());
        _wake.Set();
        return handle;
    }

    /// <summary>Runs <paramref name="action"/> on the engine thread between steps (for integrity checks in tests).</summary>
    public Task<T> RunOnLoopAsync<T>(Func<T> action)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _onLoop.Enqueue(() =>
        {
            try
            {
                completion.SetResult(action());
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        });
        _wake.Set();
        return completion.Task;
    }

    /// <summary>
    /// Empties the working pool's prefix cache, moving the blocks down to the host tier as eviction would; with
    /// <paramref name="includingHost"/> the host tier is emptied too (the persistent tiers are kept).
    /// </summary>
    public Task ResetPrefixCacheAsync(bool includingHost) => RunOnLoopAsync(() =>
    {
        _scheduler.Blocks.EvictUnreferenced();
        if (includingHost)
            _tiers?.Host?.Clear();
        return true;
    });

    /// <summary>Throws unless every KV block is referenced exactly by the live sequences; runs on the engine thread.</summary>
    public Task CheckIntegrityAsync() => RunOnLoopAsync(() =>
    {
        _scheduler.CheckIntegrity();
        return true;
    });

    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        _wake.Set();
        _loop.Join();
        foreach (var request in _active)
            _outputs.Abort(request, FinishReason.Cancelled);
        while (_incoming.TryDequeue(out var request))
            request.Complete();
        _tiers?.Dispose();
        _kv.Dispose();
        _pool.Dispose();
        _wake.Dispose();
    }

    private void Validate(GenerationRequest request)
    {
        var prompt = request.PromptTokens;
        if (prompt.Length == 0)
            throw new RequestRejectedException("the prompt is empty", overloaded: false);
        if (prompt.Length >= MaxModelLength)
            throw new RequestRejectedException(
                $"the prompt has {prompt.Length} tokens but this model's context is {MaxModelLength} tokens, including at least one generated token", overloaded: false);
        if (request.Choices < 1)
            throw new RequestRejectedException("n must be at least 1", overloaded: false);
        var vocab = Model.Config.VocabSize;
        foreach (var token in prompt)
        {
            if ((uint)token >= (uint)vocab)
                throw new RequestRejectedException($"token id {token} is outside the vocabulary of {vocab}", overloaded: false);
        }
        request.Sampling.Validate();
        if (request.Grammar is { } grammar && grammar.Vocabulary.Count != Model.Tokenizer.VocabSize)
            throw new RequestRejectedException("the grammar was built for another vocabulary", overloaded: false);
    }

    /// <summary>One choice's constraints: each gets its own grammar state.</summary>
    private static List<ITokenConstraint> Constraints(GenerationRequest request, ContentGuard? guard)
    {
        var constraints = new List<ITokenConstraint>();
        if (request.Grammar is { } grammar)
            constraints.Add(new GrammarConstraint(grammar.CreateMatcher()));
        IReadOnlyList<int[]> banned = [.. request.Sampling.BannedTokenSequences, .. guard?.BannedTokenSequences(request.GuardCategories) ?? []];
        if (banned.Count > 0)
            constraints.Add(new BannedTokenSequences(banned));
        return constraints;
    }

    private void Loop()
    {
        while (!_stopping)
        {
            RunLoopActions();
            Admit();
            AbortCancelled();
            _pins.ExpireDue(_scheduler.Blocks);
            if (!_scheduler.HasWork)
            {
                Stats = Snapshot();
                _wake.WaitOne();
                continue;
            }
            if (!Step())
                _wake.WaitOne(IdlePoll); // only sequences waiting for cached blocks to load: a finished load wakes us
            Stats = Snapshot();
        }
    }

    /// <summary>Runs one step; false if there was nothing runnable.</summary>
    private bool Step()
    {
        var plan = _scheduler.Schedule();
        if (plan.IsEmpty)
            return false;
        IReadOnlyList<SampledToken> tokens;
        var started = Stopwatch.GetTimestamp();
        try
        {
            tokens = _runner.Run(plan);
        }
        catch (Exception ex)
        {
            Trace.TraceError($"engine step failed: {ex}");
            foreach (var request in plan.Chunks.Select(c => c.Sequence.Request).Distinct().ToList())
                _outputs.Abort(request, FinishReason.Error);
            return true;
        }
        RecordTimelines(plan, started, Stopwatch.GetTimestamp());
        _scheduler.Commit(plan);
        _outputs.Process(tokens);
        _steps++;
        _generatedTokens += tokens.Count;
        foreach (var chunk in plan.Chunks)
            _promptTokens += chunk.ProducesToken ? chunk.Count - 1 : chunk.Count;
        _active.RemoveAll(r => r.UnfinishedChoices == 0);
        return true;
    }

    /// <summary>Notes this step in the timeline of each request it ran (once per request, by its first choice's sequence).</summary>
    private static void RecordTimelines(SchedulerPlan plan, long started, long finished)
    {
        foreach (var chunk in plan.Chunks)
        {
            var request = chunk.Sequence.Request;
            if (chunk.Sequence != request.Sequences[0])
                continue;
            if (chunk.Start >= chunk.Sequence.PromptLength && chunk.Count == 1)
                request.Timeline.OnDecode(started, finished);
            else
                request.Timeline.OnPrefill(started, finished, chunk.Count);
        }
    }

    private void Admit()
    {
        while (_incoming.TryDequeue(out var request))
        {
            var first = _outputs.CreateSequence(request, 0, request.Request.PromptTokens);
            request.Sequences.Add(first);
            _scheduler.Enqueue(first);
            _active.Add(request);
        }
    }

    private void AbortCancelled()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (!_active[i].IsCancelled)
                continue;
            _outputs.Abort(_active[i], FinishReason.Cancelled);
            _active.RemoveAt(i);
        }
    }

    private void RunLoopActions()
    {
        while (_onLoop.TryDequeue(out var action))
            action();
    }

    private KvTiers? CreateTiers(EngineOptions options, KvLayout layout)
    {
        if (!options.PrefixCaching || (options.HostCacheBytes <= 0 && options.DiskCacheDirectory is null && string.IsNullOrEmpty(options.RemoteCacheUrl)))
            return null;
        var shape = new KvBlockShape(layout.LayerCount, layout.KvHeadCount, layout.BlockSize, layout.HeadDim, layout.ElementBytes);
        var host = options.HostCacheBytes > 0 ? new HostBlockStore(options.HostCacheBytes, shape, options.HostCacheInt8) : null;
        var disk = options.DiskCacheDirectory is { } directory
            ? DiskBlockStore.Open(new DiskStoreOptions { Directory = directory, MaxBytes = options.DiskCacheBytes, DefaultTtl = options.CacheTtl })
            : null;
        var remote = RemoteBlockSource.FromUrl(options.RemoteCacheUrl, _fingerprint, options.CacheTtl, message => Trace.TraceWarning(message));
        return new KvTiers(_kv, host, disk, remote, TimeProvider.System, () => _wake.Set());
    }

    /// <summary>What cached K/V depends on: the model's fingerprint, the cache's element type and block size, and our numerics.</summary>
    private static byte[] CacheFingerprint(LoadedModel model, EngineOptions options)
    {
        const string KvFormat = "strata-kv-1";
        var parts = System.Text.Encoding.UTF8.GetBytes($"{KvFormat}:{options.KvDataType}:{options.BlockSize}:");
        return System.Security.Cryptography.SHA256.HashData([.. parts, .. ModelFingerprint.Compute(model.File)]);
    }

    private EngineStats Snapshot() => new()
    {
        RunningSequences = _scheduler.RunningCount,
        WaitingSequences = _scheduler.WaitingCount + _incoming.Count,
        KvBlocksUsed = _scheduler.Blocks.UsedBlocks,
        KvBlocksFree = _scheduler.Blocks.FreeBlocks,
        Preemptions = _scheduler.Preemptions,
        PromptTokensComputed = _promptTokens,
        GeneratedTokens = _generatedTokens,
        Steps = _steps,
        AdmittedPromptTokens = _scheduler.AdmittedPromptTokens,
        CachedPromptTokens = _scheduler.CachedPromptTokens,
        CachedBlocks = _scheduler.Blocks.Prefixes?.Count ?? 0,
        CacheEvictions = _scheduler.Blocks.Evictions,
        Prefetches = _tiers?.Prefetches.Count ?? 0,
        PrefetchSeconds = _tiers?.Prefetches.Seconds ?? 0,
    };
}
