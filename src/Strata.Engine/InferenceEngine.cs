using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine.Caching;
using Strata.Engine.Control;
using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.KvCache.Handoff;
using Strata.KvCache.Prefix;
using Strata.Models;

namespace Strata.Engine;

/// <summary>
/// The serving engine: a thread that drives the engine's synchronous core — it admits submitted requests, and then step
/// after step schedules a batch, runs it through the model and applies the sampled tokens. Requests come in through
/// <see cref="Submit"/> from any thread; their tokens stream back on each request's channel.
/// </summary>
public sealed class InferenceEngine : IDisposable
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentQueue<RequestState> _incoming = new();
    private readonly ConcurrentQueue<Action> _onLoop = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly EngineParts _parts;
    private readonly EngineCore _core;
    private readonly Thread _loop;
    private readonly StepLog? _stepLog = StepLog.FromEnvironment();
    private EngineStats _stats;
    private volatile QueueSnapshot _queue = QueueSnapshot.Empty;
    private readonly ResidentBlocks _resident;
    private volatile bool _stopping;
    private long _nextRequest;

    private InferenceEngine(LoadedModel model, EngineOptions options, ILoggerFactory loggers, Action<KvEvent>? kvEvents)
    {
        Model = model;
        Options = options;
        // The pool's blocks are tracked for predictions; no step runs (and no event comes) before the identity is known.
        _parts = EngineBuilder.Build(model, options, _clock, () => _wake.Set(), loggers, e =>
        {
            _resident?.Observe(e);
            kvEvents?.Invoke(e);
        });
        _resident = new ResidentBlocks(_parts.Identity);
        _core = _parts.Core;
        _stats = _core.Snapshot();
        _loop = new Thread(Loop) { IsBackground = true, Name = "strata-engine" };
        _loop.Start();
    }

    public LoadedModel Model { get; }

    public EngineOptions Options { get; }

    /// <summary>Longest sequence (prompt plus output) the engine accepts.</summary>
    public int MaxModelLength => _parts.MaxModelLength;

    public int MaxBatchedTokens => _parts.MaxBatchedTokens;

    public int KvBlockCount => _parts.BlockCount;

    /// <summary>The working pool in a few words, like <c>1638 KV blocks of 16 tokens (F16, 4096 bytes per token)</c>.</summary>
    public string KvCacheSummary =>
        $"{KvBlockCount} KV blocks of {Options.BlockSize} tokens ({Options.KvDataType}, {Model.Config.KvLayout(Options.BlockSize, Options.KvDataType).BytesPerToken} bytes per token)";

    /// <summary>The engine's counters as of its last step, and each tier's as of now.</summary>
    public EngineStats Stats => _stats with { Tiers = _parts.Tiers?.Stats ?? [] };

    /// <summary>How this engine derives its block keys; a router computes the same keys with an equal identity.</summary>
    public CacheIdentity CacheIdentity => _parts.Identity;

    /// <summary>The cache identity's fingerprint in hex: two engines share blocks only when theirs are equal.</summary>
    public string CacheFingerprint => Convert.ToHexStringLower(_parts.Identity.Fingerprint);

    /// <summary>The cached keys' and values' type by name (F16, Q8_0…), for peers that must match it.</summary>
    public string KvDataTypeName => Options.KvDataType.ToString();

    /// <summary>Completes when every full block written through so far is durable on disk.</summary>
    public Task FlushCacheAsync() => _parts.Tiers?.FlushAsync() ?? Task.CompletedTask;

    /// <param name="loggers">Where the engine and its tiers report failures and outages (nowhere by default).</param>
    /// <param name="kvEvents">
    /// Told of every block stored into or removed from the working pool or a tier, on the engine thread: it must not
    /// block (queue the event and return).
    /// </param>
    public static InferenceEngine Start(LoadedModel model, EngineOptions options, ILoggerFactory? loggers = null, Action<KvEvent>? kvEvents = null) =>
        new(model, options, loggers ?? NullLoggerFactory.Instance, kvEvents);

    /// <summary>
    /// Queues a request. Throws <see cref="RequestRejectedException"/> when it can never run (empty, too long, bad
    /// token ids) or the queue is full. Cancelling <paramref name="cancellation"/> frees its blocks within a step.
    /// </summary>
    public GenerationHandle Submit(GenerationRequest request, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        Validate(request);
        if (_core.Scheduler.WaitingCount + _incoming.Count >= Options.MaxQueue)
            throw new RequestRejectedException($"the server is busy: {Options.MaxQueue} requests are already waiting", overloaded: true, RequestRejectedException.QueueFull);
        var uncached = request.PromptTokens.Length - _resident.CachedTokens(request.Tenant, request.CacheSalt, request.PromptTokens);
        var (prediction, retryAfter) = _parts.Admission.Decide(_queue, Submitted(), request.Tier, uncached, request.Sampling.MaxTokens, request.Tenant);
        if (retryAfter is not null)
        {
            throw new RequestRejectedException(
                $"the server cannot serve a {Tiers.Name(request.Tier)} request within its time-to-first-token target now (predicted {prediction.TimeToFirstToken.TotalSeconds:0.0} s, target {Options.ServiceLevels.For(request.Tier).TimeToFirstToken.TotalSeconds:0.###} s)",
                overloaded: true, RequestRejectedException.PredictedLate, retryAfter);
        }
        var id = Interlocked.Increment(ref _nextRequest);
        var seed = request.Sampling.Seed ?? (ulong)Random.Shared.NextInt64();
        var state = new RequestState($"req-{id}", _clock.GetTimestamp(), request, seed, cancellation);
        var handle = state.CreateHandle();
        handle.PredictedTimeToFirstToken = prediction.BeyondHorizon ? null : prediction.TimeToFirstToken;
        _incoming.Enqueue(state);
        cancellation.Register(() => _wake.Set());
        _wake.Set();
        return handle;
    }

    /// <summary>
    /// Empties the working pool's prefix cache, moving the blocks down to the host tier as eviction would; with
    /// <paramref name="includingHost"/> the host tier is emptied too (the persistent tiers are kept).
    /// </summary>
    public Task ResetPrefixCacheAsync(bool includingHost) => RunOnLoopAsync(() =>
    {
        _core.Cache.ResetPrefixCache(includingHost);
        return true;
    });

    /// <summary>
    /// Holds the cached full blocks of a prompt this engine computed (all but the block of its last token, which the
    /// peer computes) for <see cref="EngineOptions.LeaseTtl"/>, for a peer to pull with <see cref="TakeLeaseAsync"/>.
    /// </summary>
    public Task<KvLeaseGrant> LeaseAsync(int[] prompt, string tenant, string cacheSalt) => RunOnLoopAsync(() =>
    {
        var lease = _core.Cache.Lease(_core.Cache.Root(tenant, cacheSalt), prompt, Options.LeaseTtl);
        return new KvLeaseGrant(lease.Id, lease.Blocks.Length, lease.Expires);
    });

    /// <summary>Takes a lease for a pull: its blocks, released when the result is disposed; null with the reason when it cannot be taken.</summary>
    public Task<(LeaseStatus Status, LeasedBlocks? Blocks)> TakeLeaseAsync(string id) => RunOnLoopAsync(() =>
    {
        var (status, lease) = _core.Cache.Leases.Take(id);
        var blocks = lease is null ? null : new LeasedBlocks(lease, _parts.Memory, _parts.Identity.Fingerprint, Options.BlockSize, EndPullAsync);
        return (status, blocks);
    });

    /// <summary>
    /// Reads blocks a peer streams (<see cref="LeasedBlocks.WriteToAsync"/>), verifying each, into the peer tier, where
    /// requests submitted while the result is held find them as cached. A stream that breaks or carries a block that
    /// fails verification keeps the blocks before it (<see cref="HandedOffBlocks.Failure"/> says why); the rest of the
    /// prompt is computed here. Throws <see cref="InvalidOperationException"/> unless the engine receives hand-offs.
    /// </summary>
    public async Task<HandedOffBlocks> ReceiveBlocksAsync(Stream source, CancellationToken cancellation)
    {
        var tier = _parts.Tiers?.Tiers.OfType<PeerTier>().FirstOrDefault()
            ?? throw new InvalidOperationException("this engine does not receive KV hand-offs (EngineOptions.ReceivesHandoffs)");
        var reader = new BlockStreamReader(_parts.Identity.Fingerprint, Options.BlockSize, tier.PayloadBytes);
        var started = _clock.GetTimestamp();
        var blocks = new List<(CachedBlock, byte[])>();
        string? failure = null;
        byte[]? payload = null;
        try
        {
            while (true)
            {
                payload = tier.Rent();
                if (await reader.ReadAsync(source, payload.AsMemory(0, tier.PayloadBytes), cancellation) is not { } block)
                    break;
                blocks.Add((block, payload));
                payload = null;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or HttpRequestException)
        {
            failure = ex.Message;
        }
        finally
        {
            if (payload is not null)
                tier.Return(payload);
        }
        return new HandedOffBlocks(tier, blocks, _clock.GetElapsedTime(started), failure);
    }

    /// <summary>Throws unless every KV block is referenced exactly by the live sequences; runs on the engine thread.</summary>
    public Task CheckIntegrityAsync() => RunOnLoopAsync(() =>
    {
        _core.CheckIntegrity();
        return true;
    });

    /// <summary>Completes when the engine loop next turns: between steps, or at once when idle (a liveness probe's question).</summary>
    public Task WaitForLoopTurnAsync() => RunOnLoopAsync(() => true);

    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        _wake.Set();
        _loop.Join();
        _core.AbortAll(FinishReason.Cancelled);
        while (_incoming.TryDequeue(out var request))
            request.Complete();
        _parts.Dispose();
        _stepLog?.Dispose();
        _wake.Dispose();
    }

    private Task EndPullAsync(string id) => RunOnLoopAsync(() =>
    {
        _core.Cache.Leases.EndPull(id);
        return true;
    });

    /// <summary>Requests accepted but not yet admitted by the engine thread, as the predictor sees them.</summary>
    private IEnumerable<SequenceLoad> Submitted() => _incoming.SelectMany(state => Enumerable.Repeat(
        new SequenceLoad(state.Request.Tier, state.Request.PromptTokens.Length, state.Request.Sampling.MaxTokens, state.Request.PromptTokens.Length, Decoding: false, state.Request.Tenant),
        state.Request.Choices));

    /// <summary>Runs <paramref name="action"/> on the engine thread between steps.</summary>
    internal Task<T> RunOnLoopAsync<T>(Func<T> action)
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

    private void Loop()
    {
        while (!_stopping)
        {
            while (_onLoop.TryDequeue(out var action))
                action();
            var admitted = false;
            while (_incoming.TryDequeue(out var request))
            {
                _core.Admit(request);
                admitted = true;
            }
            // Admitted requests leave the submitted queue: publish them before the step, which may take a while.
            if (admitted)
                _queue = _core.Queue();
            var step = _core.Step();
            if (step is not null)
                _stepLog?.Write(step);
            _queue = _core.Queue();
            _stats = _core.Snapshot() with { WaitingSequences = _core.Scheduler.WaitingCount + _incoming.Count, Queue = _queue, StepCost = _parts.Admission.Costs.Current };
            if (step is null)
            {
                _stepLog?.Flush();
                _wake.WaitOne(_core.HasWork || _core.Cache.Leases.Held > 0 ? IdlePoll : Timeout.InfiniteTimeSpan); // a finished load or a submit wakes us; leases expire
            }
        }
    }
}
