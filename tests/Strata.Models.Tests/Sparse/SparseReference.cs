using System.Globalization;
using Strata.TestSupport;

namespace Strata.Models.Tests.Sparse;

/// <summary>
/// llama.cpp's runs of one synthetic sparse model (Data/&lt;name&gt;.greedy.txt and .promptN.step0-logits.txt): for
/// each prompt its token ids, the greedy continuation, the margin between the top two logits at each step, and
/// all logits after the prompt.
/// </summary>
internal sealed record SparseReference(int[] Prompt, int[] Generated, float[] Margins, float[] StepZeroLogits)
{
    public static IReadOnlyList<SparseReference> Read(string name)
    {
        var directory = Path.Combine(SharedData.RepoRoot, "tests", "Strata.Models.Tests", "Sparse", "Data");
        var runs = new List<SparseReference>();
        int[] prompt = [];
        int[] generated = [];
        foreach (var line in File.ReadLines(Path.Combine(directory, $"{name}.greedy.txt")))
        {
            if (line.StartsWith("prompt_tokens:", StringComparison.Ordinal))
                prompt = Numbers(line).Select(int.Parse).ToArray();
            else if (line.StartsWith("generated_tokens:", StringComparison.Ordinal))
                generated = Numbers(line).Select(int.Parse).ToArray();
            else if (line.StartsWith("margins:", StringComparison.Ordinal))
            {
                var margins = Numbers(line).Select(m => float.Parse(m, CultureInfo.InvariantCulture)).ToArray();
                var logits = File.ReadLines(Path.Combine(directory, $"{name}.prompt{runs.Count + 1}.step0-logits.txt"))
                    .Select(l => float.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).ToArray();
                runs.Add(new SparseReference(prompt, generated, margins, logits));
            }
        }
        return runs;
    }

    private static string[] Numbers(string line) => line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
