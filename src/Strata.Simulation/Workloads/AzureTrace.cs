using System.Globalization;

namespace Strata.Simulation.Workloads;

/// <summary>
/// The Azure LLM inference trace format: CSV with a header naming <c>TIMESTAMP</c> (a date and time),
/// <c>ContextTokens</c> and <c>GeneratedTokens</c>, in any column order. The trace says nothing of prompt contents, so
/// every prompt is distinct (<see cref="TraceTokens.Unique"/>); arrivals count from the earliest timestamp.
/// </summary>
internal static class AzureTrace
{
    private sealed record Row(DateTime Timestamp, int ContextTokens, int GeneratedTokens);

    public static IEnumerable<SimRequest> Read(string path)
    {
        var rows = Parse(path);
        return Requests(rows);
    }

    private static List<Row> Parse(string path)
    {
        using var reader = File.OpenText(path);
        var header = reader.ReadLine()?.Split(',').Select(h => h.Trim()).ToArray()
            ?? throw new FormatException($"{path} is empty");
        var time = Column(header, "TIMESTAMP", path);
        var context = Column(header, "ContextTokens", path);
        var generated = Column(header, "GeneratedTokens", path);
        var rows = new List<Row>();
        var number = 1;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
                continue;
            var cells = text.Split(',');
            if (cells.Length != header.Length)
                throw new FormatException($"{path} line {number}: {cells.Length} columns, the header has {header.Length}");
            if (!DateTime.TryParse(cells[time].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var timestamp))
                throw new FormatException($"{path} line {number}: TIMESTAMP '{cells[time]}' is not a date and time");
            if (!int.TryParse(cells[context], CultureInfo.InvariantCulture, out var prompt) || prompt < 1)
                throw new FormatException($"{path} line {number}: ContextTokens '{cells[context]}' is not a positive integer");
            if (!int.TryParse(cells[generated], CultureInfo.InvariantCulture, out var output) || output < 0)
                throw new FormatException($"{path} line {number}: GeneratedTokens '{cells[generated]}' is not a non-negative integer");
            rows.Add(new Row(timestamp, prompt, output));
        }
        if (rows.Count == 0)
            throw new FormatException($"{path} holds no requests");
        return [.. rows.OrderBy(r => r.Timestamp)];
    }

    private static int Column(string[] header, string name, string path)
    {
        var index = Array.FindIndex(header, h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw new FormatException($"{path}: the header has no {name} column");
    }

    private static IEnumerable<SimRequest> Requests(List<Row> rows)
    {
        var start = rows[0].Timestamp;
        for (var i = 0; i < rows.Count; i++)
        {
            var prompt = new int[rows[i].ContextTokens];
            for (var t = 0; t < prompt.Length; t++)
                prompt[t] = TraceTokens.Unique(i, t);
            // A logged answer of no tokens still cost a step; the engine generates at least one.
            yield return new SimRequest((rows[i].Timestamp - start).TotalSeconds, prompt, Math.Max(1, rows[i].GeneratedTokens));
        }
    }
}
