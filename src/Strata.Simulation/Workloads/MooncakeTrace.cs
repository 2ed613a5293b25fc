using System.Text.Json;

namespace Strata.Simulation.Workloads;

/// <summary>
/// Mooncake's public trace format: one JSON object per line with <c>timestamp</c> (milliseconds), <c>input_length</c>,
/// <c>output_length</c> and <c>hash_ids</c>, the hashes of the prompt's consecutive blocks of <see cref="BlockTokens"/>
/// tokens (equal hashes, equal prefixes). Prompts are made of <see cref="TraceTokens"/>; arrivals count from the first.
/// </summary>
internal static class MooncakeTrace
{
    public const int BlockTokens = 512;

    private sealed record Line(double TimestampMs, int InputLength, int OutputLength, long[] HashIds);

    public static IEnumerable<SimRequest> Read(string path)
    {
        var lines = Parse(path);
        return Requests(lines);
    }

    private static List<Line> Parse(string path)
    {
        var lines = new List<Line>();
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
                continue;
            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                var line = new Line(
                    root.GetProperty("timestamp").GetDouble(),
                    root.GetProperty("input_length").GetInt32(),
                    root.GetProperty("output_length").GetInt32(),
                    root.TryGetProperty("hash_ids", out var hashes) ? [.. hashes.EnumerateArray().Select(h => h.GetInt64())] : []);
                if (line.InputLength < 1 || line.OutputLength < 1 || line.TimestampMs < 0)
                    throw new FormatException("timestamp must not be negative, input_length and output_length must be positive");
                lines.Add(line);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"{path} line {number}: {ex.Message}", ex);
            }
        }
        if (lines.Count == 0)
            throw new FormatException($"{path} holds no requests");
        // Stable: requests logged at the same millisecond keep their order.
        return [.. lines.OrderBy(l => l.TimestampMs)];
    }

    private static IEnumerable<SimRequest> Requests(List<Line> lines)
    {
        var start = lines[0].TimestampMs;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var prompt = new int[line.InputLength];
            for (var t = 0; t < prompt.Length; t++)
            {
                var block = t / BlockTokens;
                prompt[t] = block < line.HashIds.Length ? TraceTokens.OfBlock(line.HashIds[block], t % BlockTokens) : TraceTokens.Unique(i, t);
            }
            yield return new SimRequest((line.TimestampMs - start) / 1000, prompt, line.OutputLength);
        }
    }
}
