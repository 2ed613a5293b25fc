using Strata.Plots;

namespace Strata.Cli.Commands.Bench;

/// <summary>The charts of <c>strata bench --plot DIR</c>.</summary>
internal static class ModelBenchPlots
{
    public static IReadOnlyList<string> Write(string directory, ModelBenchReport report)
    {
        var speeds = Path.Combine(directory, "speeds.png");
        var batched = Path.Combine(directory, "batched.png");
        Chart.Bars(speeds, $"{report.Model}, {report.Threads} threads", "tokens/s",
        [
            ($"prefill {report.Prompt}", report.PrefillTokS),
            ($"decode {report.Generate}", report.DecodeTokS),
            ($"decode at depth {report.Depth}", report.DecodeDepthTokS),
            ("decode roof (memory bandwidth)", report.DecodeTokS / Math.Max(report.DecodeRooflineFraction, 1e-9)),
        ]);
        Chart.Lines(batched, $"Batched decode, {report.Model}", "sequences decoding together", "tokens/s",
            [("decode", report.Batched.Select(b => (double)b.Batch).ToArray(), report.Batched.Select(b => b.DecodeTokS).ToArray())]);
        return [speeds, batched];
    }
}
