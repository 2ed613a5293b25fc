using System.CommandLine;
using System.Text.Json;
using Strata.Cli.Commands;

namespace Strata.Cli.Tests.ServeBenchmark;

public sealed class BenchServeCommandTests
{
    [Theory]
    [InlineData("inf", double.PositiveInfinity)]
    [InlineData("INF", double.PositiveInfinity)]
    [InlineData("2.5", 2.5)]
    public void Parse_RequestRate_NumberOrInf(string text, double expected)
    {
        var parse = Parse("--url", "http://127.0.0.1:1", "--request-rate", text);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, parse.GetValue<double>("--request-rate"));
    }

    [Theory]
    [InlineData("--request-rate", "fast")]
    [InlineData("--request-rate", "0")]
    [InlineData("--endpoint", "/v1/embeddings")]
    [InlineData("--dataset", "sharegpt")]
    public void Parse_BadValue_ParseError(string option, string value)
    {
        Assert.NotEmpty(Parse("--url", "http://127.0.0.1:1", option, value).Errors);
    }

    [Fact]
    public async Task Invoke_AgainstFakeServer_PrintsTableAndWritesJson()
    {
        await using var server = new FakeOpenAiServer(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(1));
        var json = Path.Combine(Path.GetTempPath(), $"strata-bench-serve-{Guid.NewGuid():N}.json");
        var output = new StringWriter();
        var log = new StringWriter();

        var exit = await Parse("--url", server.Url, "--num-prompts", "5", "--random-input-len", "12", "--random-output-len", "3",
                "--request-rate", "200", "--ignore-eos", "--goodput", "ttft:60000", "--json", json)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = log, EnableDefaultExceptionHandler = false });

        Assert.Equal(0, exit);
        Assert.Contains("Successful requests:                     5", output.ToString());
        Assert.Contains("Request goodput (req/s):", output.ToString());
        Assert.Contains("5/5 requests finished (0 failed)", log.ToString());
        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal(5, report.RootElement.GetProperty("completed").GetInt32());
        Assert.Equal(15, report.RootElement.GetProperty("total_output_tokens").GetInt32());
        File.Delete(json);
    }

    private static ParseResult Parse(params string[] args) => new RootCommand { BenchServeCommand.Create() }.Parse(["serve", .. args]);
}
