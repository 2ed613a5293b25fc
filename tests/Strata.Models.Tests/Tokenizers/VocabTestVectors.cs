using System.Text;
using Strata.TestSupport;

namespace Strata.Models.Tests.Tokenizers;

/// <summary>
/// llama.cpp's tokenizer test vectors: <c>X.inp</c> holds UTF-8 cases separated by "\n__ggml_vocab_test__\n",
/// <c>X.out</c> one line of space-separated expected ids per case (add_special and parse_special both off).
/// </summary>
internal static class VocabTestVectors
{
    private const string Separator = "\n__ggml_vocab_test__\n";

    public static IReadOnlyList<string> ReadInputs(string path)
    {
        var raw = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        var cases = new List<string>();
        for (var pos = 0; pos < raw.Length;)
        {
            var next = raw.IndexOf(Separator, pos, StringComparison.Ordinal);
            if (next < 0)
            {
                cases.Add(raw[pos..]);
                break;
            }
            cases.Add(raw[pos..next]);
            pos = next + Separator.Length;
        }
        return cases;
    }

    public static IReadOnlyList<int[]> ReadOutputs(string path) =>
        File.ReadAllLines(path).Select(ParseIds).ToArray();

    public static int[] ParseIds(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

    /// <summary>The (input, expected) pairs of a shared vocabulary's test files.</summary>
    public static IReadOnlyList<(string Input, int[] Expected)> Shared(string vocab)
    {
        var inputs = ReadInputs(SharedData.Model($"ggml-vocab-{vocab}.gguf.inp"));
        var outputs = ReadOutputs(SharedData.Model($"ggml-vocab-{vocab}.gguf.out"));
        if (inputs.Count != outputs.Count)
            throw new InvalidDataException($"{vocab}: {inputs.Count} inputs but {outputs.Count} expected lines");
        return inputs.Zip(outputs).ToArray();
    }

    /// <summary>Vocabularies in ../shared/models that have both the GGUF and the test files.</summary>
    public static IEnumerable<string> SharedVocabs()
    {
        if (!Directory.Exists(SharedData.ModelsDir))
            yield break;
        foreach (var inp in Directory.EnumerateFiles(SharedData.ModelsDir, "ggml-vocab-*.gguf.inp").Order())
        {
            var gguf = inp[..^".inp".Length];
            if (File.Exists(gguf) && File.Exists(gguf + ".out"))
                yield return Path.GetFileName(gguf)["ggml-vocab-".Length..^".gguf".Length];
        }
    }

    /// <summary>A short printable form of a case for test names.</summary>
    public static string Preview(string input)
    {
        var escaped = input.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
        return escaped.Length <= 40 ? escaped : escaped[..40] + "…";
    }
}
