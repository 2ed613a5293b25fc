using System.Text.Json;

namespace Strata.TestSupport;

/// <summary>The per-prompt records of ../shared/models/golden/*.greedy.txt (llama.cpp's greedy runs).</summary>
public static class GoldenGreedy
{
    public sealed record Run(string Prompt, int[] PromptTokens, int[] GeneratedTokens, string Text);

    public static IReadOnlyList<Run> Read(string fileName)
    {
        var runs = new List<Run>();
        string? prompt = null;
        int[] promptTokens = [];
        int[] generated = [];
        foreach (var line in File.ReadLines(Path.Combine(SharedData.ModelsDir, "golden", fileName)))
        {
            if (line.StartsWith("prompt: ", StringComparison.Ordinal))
                prompt = JsonSerializer.Deserialize<string>(line["prompt: ".Length..]);
            else if (line.StartsWith("prompt_tokens", StringComparison.Ordinal))
                promptTokens = Ids(line);
            else if (line.StartsWith("generated_tokens", StringComparison.Ordinal))
                generated = Ids(line);
            else if (line.StartsWith("generated_text: ", StringComparison.Ordinal))
                runs.Add(new Run(prompt!, promptTokens, generated, JsonSerializer.Deserialize<string>(line["generated_text: ".Length..])!));
        }
        return runs;
    }

    private static int[] Ids(string line) =>
        line[(line.IndexOf("):", StringComparison.Ordinal) + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
}
