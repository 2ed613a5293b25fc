using Strata.Cli.Commands.Bench;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class ServePlotsTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G'];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"strata-plots-{Guid.NewGuid():N}");

    [Fact]
    public void Write_ServeRun_DrawsEveryChartAsPng()
    {
        var records = Enumerable.Range(0, 20).Select(i => new RequestRecord
        {
            SentAt = TimeSpan.FromMilliseconds(100 * i),
            PromptTokens = 50,
            OutputTokens = 8,
            TimeToFirstToken = TimeSpan.FromMilliseconds(200 + 10 * i),
            InterTokenLatencies = Enumerable.Repeat(TimeSpan.FromMilliseconds(30 + i), 7).ToArray(),
            EndToEnd = TimeSpan.FromMilliseconds(200 + 10 * i + 7 * (30 + i)),
        }).Append(RequestRecord.Failure("refused")).ToList();
        var run = new BenchmarkRun(records, TimeSpan.FromSeconds(3));
        var outcome = new BenchmarkOutcome("model", "http://127.0.0.1:1/v1", null, run, BenchmarkSummary.From(records, run.Duration, null));

        var files = ServePlots.Write(_directory, outcome);

        Assert.Equal(["ttft-cdf.png", "itl-cdf.png", "throughput.png"], files.Select(Path.GetFileName));
        Assert.All(files, AssertPng);
    }

    [Fact]
    public void Write_ModelBench_DrawsSpeedsAndBatched()
    {
        var report = new ModelBenchReport
        {
            Model = "m", Simd = "Avx512", Threads = 2, Prompt = 512, Generate = 128, PrefillTokS = 448, DecodeTokS = 105, Depth = 512,
            DecodeDepthTokS = 76, Batched = [new(1, 400, 100), new(4, 400, 200), new(32, 400, 300)], MemBwGbS = 20, DecodeBytesPerToken = 1,
            DecodeRooflineFraction = 0.95, DecodeRoofGbS = 20, DecodeRoofProbesGbS = [20, 20], DecodeDepthRooflineFraction = 0.9,
            DecodeDepthRoofProbesGbS = [20, 20], Int8PeakGmacs = 100, GcCount = 0, GcPauseMs = 0, KvType = "f16", KvBytesPerToken = 1024,
        };

        Assert.All(ModelBenchPlots.Write(_directory, report), AssertPng);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 5_000, $"{path}: {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..4]);
    }
}
