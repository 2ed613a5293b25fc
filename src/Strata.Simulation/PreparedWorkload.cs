using System.Collections.Concurrent;
using System.Runtime.Intrinsics;
using Strata.KvCache.Prefix;

namespace Strata.Simulation;

/// <summary>
/// Reads a workload on another thread, ahead of the simulation, and derives each prompt's block keys there: generating
/// prompts and hashing their blocks is a large share of a long run's work and needs nothing from the simulation, so it
/// runs on a second core (16 prompts' keys at a time, see <see cref="BlockKeyLanes"/>). A bounded queue keeps only a few
/// thousand requests in hand. Disposing stops the reader.
/// </summary>
internal sealed class PreparedWorkload : IDisposable
{
    private const int Ahead = 4096;

    private readonly BlockingCollection<PreparedRequest> _queue = new(Ahead);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private Exception? _failure;

    /// <param name="identity">Derives the keys, with the root every simulated request uses (no tenant, no salt); null: no keys.</param>
    public PreparedWorkload(IEnumerable<SimRequest> workload, CacheIdentity? identity)
    {
        _reader = Task.Run(() => Read(workload, identity));
    }

    /// <summary>The requests in workload order; the workload's own exception, if reading it failed, is thrown here.</summary>
    public IEnumerable<PreparedRequest> Requests()
    {
        foreach (var request in _queue.GetConsumingEnumerable())
            yield return request;
        if (_failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _reader.Wait();
        }
        catch (AggregateException)
        {
            // The reader stopped because it was cancelled; its own failures were kept for Requests.
        }
        _queue.Dispose();
        _stop.Dispose();
    }

    private void Read(IEnumerable<SimRequest> workload, CacheIdentity? identity)
    {
        try
        {
            if (identity is null)
            {
                foreach (var request in workload)
                    _queue.Add(new PreparedRequest(request, null), _stop.Token);
            }
            else
            {
                ReadWithKeys(workload, identity);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _failure = ex;
        }
        finally
        {
            _queue.CompleteAdding();
        }
    }

    /// <summary>Derives the keys of <see cref="BlockKeyLanes.Lanes"/> prompts at a time where the CPU has 512-bit vectors, one at a time elsewhere.</summary>
    private void ReadWithKeys(IEnumerable<SimRequest> workload, CacheIdentity identity)
    {
        var root = identity.Root("", "");
        var lanes = Vector512.IsHardwareAccelerated ? new BlockKeyLanes(identity.BlockSize) : null;
        var batch = new List<SimRequest>(BlockKeyLanes.Lanes);
        var prompts = new int[BlockKeyLanes.Lanes][];
        var keys = new List<BlockKey>[BlockKeyLanes.Lanes];
        foreach (var request in workload)
        {
            batch.Add(request);
            if (batch.Count == (lanes is null ? 1 : BlockKeyLanes.Lanes))
                Flush();
        }
        Flush();

        void Flush()
        {
            for (var i = 0; i < batch.Count; i++)
            {
                prompts[i] = batch[i].Prompt;
                keys[i] = new List<BlockKey>(prompts[i].Length / identity.BlockSize);
                if (lanes is null)
                    identity.Extend(keys[i], root, prompts[i], prompts[i].Length / identity.BlockSize);
            }
            lanes?.Keys(root, prompts.AsSpan(0, batch.Count), keys.AsSpan(0, batch.Count));
            for (var i = 0; i < batch.Count; i++)
                _queue.Add(new PreparedRequest(batch[i], keys[i]), _stop.Token);
            batch.Clear();
        }
    }
}
