using Strata.Simulation.Workloads;

namespace Strata.Simulation.Tests;

/// <summary>The public trace formats, on small samples written here in each format.</summary>
public sealed class TraceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("strata-sim-trace-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Mooncake_SharedHashIdsGiveSharedPrefixes_ArrivalsInSecondsFromTheFirst()
    {
        var path = Write("trace.jsonl",
            """{"timestamp": 1500, "input_length": 1100, "output_length": 20, "hash_ids": [7, 8, 9]}""",
            """{"timestamp": 1000, "input_length": 600, "output_length": 10, "hash_ids": [7, 3]}""",
            "",
            """{"timestamp": 4000, "input_length": 700, "output_length": 5, "hash_ids": [4]}""");

        var requests = MooncakeTrace.Read(path).ToArray();

        Assert.Equal([0.0, 0.5, 3.0], requests.Select(r => r.ArrivalSeconds));
        Assert.Equal([600, 1100, 700], requests.Select(r => r.Prompt.Length));
        Assert.Equal([10, 20, 5], requests.Select(r => r.MaxTokens));
        // Block 7 is the first 512 tokens of the first two prompts; their second blocks differ.
        Assert.Equal(requests[0].Prompt[..512], requests[1].Prompt[..512]);
        Assert.NotEqual(requests[0].Prompt[512..600], requests[1].Prompt[512..600]);
        // Tokens past the hashed blocks are the request's own.
        Assert.NotEqual(requests[2].Prompt[..512], requests[0].Prompt[..512]);
        Assert.All(requests.SelectMany(r => r.Prompt), t => Assert.InRange(t, 1, 31_999));
    }

    [Fact]
    public void Mooncake_BadLine_NamesTheLine()
    {
        var path = Write("bad.jsonl",
            """{"timestamp": 0, "input_length": 10, "output_length": 2, "hash_ids": []}""",
            """{"timestamp": 1, "input_length": 10}""");

        var error = Assert.Throws<FormatException>(() => MooncakeTrace.Read(path).ToArray());
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Azure_ReadsAnyColumnOrder_SortsByTime_AndGivesDistinctPrompts()
    {
        var path = Write("trace.csv",
            "ContextTokens,TIMESTAMP,GeneratedTokens",
            "300,2023-11-16 18:15:47.1805900,12",
            "120,2023-11-16 18:15:46.6805900,0",
            "300,2023-11-16 18:15:49.6805900,40");

        var requests = AzureTrace.Read(path).ToArray();

        Assert.Equal(0.0, requests[0].ArrivalSeconds, 9);
        Assert.Equal(0.5, requests[1].ArrivalSeconds, 9);
        Assert.Equal(3.0, requests[2].ArrivalSeconds, 9);
        Assert.Equal([120, 300, 300], requests.Select(r => r.Prompt.Length));
        Assert.Equal([1, 12, 40], requests.Select(r => r.MaxTokens));
        Assert.NotEqual(requests[1].Prompt[..16], requests[2].Prompt[..16]);
    }

    [Theory]
    [InlineData("TIMESTAMP,ContextTokens\n2023-11-16 18:15:46,10", "GeneratedTokens")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\nyesterday,10,2", "line 2")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,-4,2", "ContextTokens")]
    [InlineData("TIMESTAMP,ContextTokens,GeneratedTokens", "no requests")]
    public void Azure_BadInput_SaysWhat(string text, string expected)
    {
        var path = Write("bad.csv", text.Split('\n'));

        var error = Assert.Throws<FormatException>(() => AzureTrace.Read(path).ToArray());
        Assert.Contains(expected, error.Message);
    }
}
