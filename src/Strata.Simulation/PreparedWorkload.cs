using System.Collections.Concurrent;
using Strata.KvCache.Prefix;

namespace Strata.Simulation;

/// <summary>
/// Reads a workload on another thread, ahead of the simulation, and derives each prompt's block keys there: generating
/// prompts and hashing their blocks is a large share of a long run's work and needs nothing from the simulation, so it
/// runs on a second core. A bounded queue keeps only a few thousand requests in hand. Disposing stops the reader.
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
            var root = identity?.Root("", "") ?? default;
            foreach (var request in workload)
            {
                List<BlockKey>? keys = null;
                if (identity is not null)
                {
                    keys = new List<BlockKey>(request.Prompt.Length / identity.BlockSize);
                    identity.Extend(keys, root, request.Prompt, request.Prompt.Length / identity.BlockSize);
                }
                _queue.Add(new PreparedRequest(request, keys), _stop.Token);
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
}
