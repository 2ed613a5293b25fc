using System.Globalization;
using Strata.TestSupport;

namespace Strata.Models.Tests.Llama;

/// <summary>llama.cpp's step-0 logits from ../shared/models/golden and quant-reference (one "id value" per line).</summary>
internal static class GoldenLogits
{
    public static float[] Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var logits = new float[lines.Length];
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            logits[int.Parse(parts[0], CultureInfo.InvariantCulture)] = float.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return logits;
    }

    public static string Stories(string variant, int prompt) =>
        Path.Combine(SharedData.ModelsDir, "golden", $"stories260k-{variant}.prompt{prompt}.step0-logits.txt");

    /// <summary>The three golden prompts, already tokenized with BOS (from stories260k-*.greedy.txt).</summary>
    public static readonly int[][] StoriesPrompts =
    [
        [1, 403, 407, 261, 378],
        [1, 317, 269, 274, 287, 263, 377, 267, 265, 282, 295, 433],
        [1, 291, 376, 400, 428, 286, 296, 418, 329, 429, 412, 425, 372],
    ];

    public static int[] TopK(ReadOnlySpan<float> logits, int k) =>
        logits.ToArray().Select((v, i) => (v, i)).OrderByDescending(p => p.v).Take(k).Select(p => p.i).ToArray();
}
