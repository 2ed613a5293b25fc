using System.Diagnostics;
using System.Globalization;
using Strata.KvCache.CrashHost;
using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

/// <summary>
/// Runs <c>Strata.KvCache.CrashHost</c> as a real child process, SIGKILLs it in the middle of its work, reopens the
/// store and checks it: every block the host reported durable is served, at that version or a newer one, and every
/// block served has exactly the bytes that version was written with. Three kills in a row on the same directory,
/// each at a different point, so each round also recovers from the previous crash.
/// </summary>
public sealed class KillTests : IDisposable
{
    private const int Rounds = 3;
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("writes")]
    [InlineData("compaction")]
    public void Open_AfterKillDashNine_ServesEveryDurableBlockAndNothingCorrupt(string mode)
    {
        var newestDurable = new Dictionary<int, int>();
        for (var round = 1; round <= Rounds; round++)
        {
            foreach (var (index, version) in RunHostUntilKilled(mode, round, durableWrites: 100 * round))
                newestDurable[index] = Math.Max(newestDurable.GetValueOrDefault(index), version);

            using var store = DiskBlockStore.Open(CrashWorkload.Options(_directory.Path));
            store.CheckIntegrity();
            for (var index = 0; index < CrashWorkload.KeyCount; index++)
            {
                var found = store.TryRead(CrashWorkload.Key(index), out var record);
                if (newestDurable.TryGetValue(index, out var durableVersion))
                    Assert.True(found, $"round {round}: durable block {index} v{durableVersion} was lost");
                if (!found)
                    continue;
                Assert.True(CrashWorkload.IsIntact(record!, index), $"round {round}: block {index} served with wrong bytes");
                Assert.True(record!.Tokens[1] >= durableVersion, $"round {round}: block {index} went back to v{record.Tokens[1]}");
            }
        }
    }

    /// <summary>Starts the host, waits until it has reported enough durable writes (and compactions), kills it; returns what it reported.</summary>
    private List<(int Index, int Version)> RunHostUntilKilled(string mode, int round, int durableWrites)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Strata.KvCache.CrashHost.dll"));
        start.ArgumentList.Add(_directory.Path);
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(round.ToString(CultureInfo.InvariantCulture));

        var reported = new List<(int Index, int Version)>();
        var compactions = 0;
        var gate = new Lock();
        using var enough = new ManualResetEventSlim();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Split(' ') is not [var kind, .. var values])
                return;
            lock (gate)
            {
                if (kind == CrashWorkload.DurableLine)
                    reported.Add((int.Parse(values[0], CultureInfo.InvariantCulture), int.Parse(values[1], CultureInfo.InvariantCulture)));
                else if (kind == CrashWorkload.CompactedLine)
                    compactions++;
                if (reported.Count >= durableWrites && (mode != "compaction" || compactions >= 3))
                    enough.Set();
            }
        };
        var stderr = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        try
        {
            Assert.True(enough.Wait(TimeSpan.FromSeconds(60)), "the crash host did not get far enough");
            Assert.False(process.HasExited, "the crash host stopped before it was killed");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(); // also drains the output lines already printed: each is a true report
        }
        Assert.True(process.ExitCode != 0, $"crash host: {stderr.Result}");
        lock (gate)
            return [.. reported];
    }
}
