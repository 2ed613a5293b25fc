namespace Strata.Kernels.Threading;

/// <summary>
/// Work split statically across the pool: every worker calls <see cref="Execute"/> once with its index and
/// takes its own share (usually a contiguous range of output rows). Implementations are reused objects with
/// their inputs set in fields before each run, so dispatch allocates nothing.
/// </summary>
public interface IComputeJob
{
    void Execute(int worker, int workerCount);
}
