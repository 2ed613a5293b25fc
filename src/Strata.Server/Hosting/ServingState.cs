namespace Strata.Server.Hosting;

/// <summary>Whether the server still takes API requests, and how many are running (what a drain waits for).</summary>
internal sealed class ServingState
{
    private int _running;
    private volatile bool _draining;

    public bool Draining => _draining;

    public int RunningRequests => Volatile.Read(ref _running);

    public void BeginDrain() => _draining = true;

    public void Enter() => Interlocked.Increment(ref _running);

    public void Leave() => Interlocked.Decrement(ref _running);
}
