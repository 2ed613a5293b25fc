namespace Strata.Cli.ServeBenchmark;

/// <summary>Writes a line each time another tenth of the requests has finished, so a long run shows it is alive.</summary>
internal sealed class ProgressLog(TextWriter log, int total)
{
    private readonly Lock gate = new();
    private int finished;
    private int failed;
    private int tenthsReported;

    public void Report(RequestRecord record)
    {
        lock (gate)
        {
            finished++;
            if (!record.Succeeded)
                failed++;
            var tenths = finished * 10 / total;
            if (tenths <= tenthsReported)
                return;
            tenthsReported = tenths;
            log.WriteLine($"  {finished}/{total} requests finished ({failed} failed)");
        }
    }
}
