using Strata.Kernels.Threading;

namespace Strata.Models.Llama;

/// <summary>
/// Runs an <see cref="ITokenStage"/> over a batch's items. Items are independent, so a large batch is split across
/// the pool; a small one (a decode step) runs on the calling thread, cheaper than a dispatch.
/// </summary>
internal sealed class TokenStageJob : IComputeJob
{
    private const int ParallelTokens = 8;

    private ITokenStage _stage = null!;
    private int _items;

    public void Run(ComputePool pool, ITokenStage stage, int items)
    {
        _stage = stage;
        _items = items;
        if (items >= ParallelTokens && pool.ThreadCount > 1)
            pool.Run(this);
        else
            Execute(0, 1);
    }

    public void Execute(int worker, int workerCount)
    {
        var (start, end) = Partition.Range(_items, worker, workerCount);
        for (var t = start; t < end; t++)
            _stage.Apply(t);
    }
}
