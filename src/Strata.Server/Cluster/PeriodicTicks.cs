namespace Strata.Server.Cluster;

/// <summary>The next tick of a cluster loop's timer (a heartbeat, a registry poll): false once the loop is to stop.</summary>
internal static class PeriodicTicks
{
    public static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
