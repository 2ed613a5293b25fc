// Opens a disk block store and writes (and, in "compaction" mode, compacts) until it is killed, printing every
// block whose flush completed. Usage: Strata.KvCache.CrashHost <directory> <writes|compaction> <round>.
using System.Globalization;
using Strata.KvCache.CrashHost;
using Strata.KvCache.Disk;

var directory = args[0];
var compacting = args[1] == "compaction";
var firstVersion = int.Parse(args[2], CultureInfo.InvariantCulture) * 1_000_000;
var output = Console.Out;
using var writing = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a safety net if the test never kills it

using var store = DiskBlockStore.Open(CrashWorkload.Options(directory));
var compactor = new Thread(() =>
{
    var reported = 0L;
    while (!writing.IsCancellationRequested)
    {
        store.Compact();
        var compactions = store.Stats.Compactions;
        if (compactions != reported)
            output.WriteLine($"{CrashWorkload.CompactedLine} {compactions}");
        else
            Thread.Sleep(1);
        reported = compactions;
    }
});
if (compacting)
    compactor.Start();

for (var version = firstVersion; !writing.IsCancellationRequested;)
{
    var batch = new List<(int Index, int Version)>();
    for (var i = 0; i < 8; i++)
    {
        version++;
        var index = version % CrashWorkload.KeyCount;
        if (store.TryEnqueueWrite(CrashWorkload.Record(index, version)))
            batch.Add((index, version));
    }
    await store.FlushAsync();
    foreach (var (index, written) in batch)
        output.WriteLine($"{CrashWorkload.DurableLine} {index} {written}");
}
if (compacting)
    compactor.Join();
