using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using Strata.Cli.Commands;

namespace Strata.Cli.Tests.Hardening;

/// <summary>
/// The short forms of the soak and the fuzz run that CI runs against a real <c>strata serve</c>; the long forms are
/// the same commands with more requests and cases.
/// </summary>
public sealed class HardeningRunTests
{
    [Fact]
    public async Task Soak_ShortRunWithVanishingClients_EveryCheckHolds()
    {
        using var server = await ServeProcess.StartAsync("--kv-cache-memory", "2MiB", "--max-num-batched-tokens", "64", "--threads", "1");

        var (exit, output) = await InvokeAsync("soak", "--url", server.Address.ToString(), "--requests", "150", "--concurrency", "16",
            "--disconnect", "0.4", "--warmup", "30", "--seed", "3");

        Assert.True(exit == 0, output);
        foreach (var check in new[] { "KV blocks returned", "KV integrity", "no server errors counted", "running sequences within the cap", "same greedy text as before" })
            Assert.Matches($@"(?m)^ok\s+{check}", output);
        Assert.Matches(@"left mid-upload RST\s+\d+", output);
        Assert.Matches(@"left mid-stream FIN\s+\d+", output);
        Assert.DoesNotContain("fail:", server.Log);
    }

    [Fact]
    public async Task Fuzz_ShortRun_NoServerErrorAndEveryClientErrorAnOpenAiBodyNamingTheField()
    {
        using var server = await ServeProcess.StartAsync("--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", "--threads", "1");

        // Far fewer cases than the heap needs to reach its working size, so only a gross leak would pass this bound.
        var (exit, output) = await InvokeAsync("fuzz", "--url", server.Address.ToString(), "--cases", "400", "--seed", "1", "--max-memory-growth", "256MiB");

        Assert.True(exit == 0, output);
        Assert.Matches(@"4xx with an OpenAI error body\s+(\d+) of \1 \(100\.0 %\)", output);
        Assert.Matches(@"4xx naming the invalid field\s+(\d+) of \1 \(100\.0 %\)", output);
        Assert.Matches(@"(?m)^ok\s+no 5xx answers", output);
        Assert.DoesNotContain("fail:", server.Log);
    }

    [Fact]
    public async Task Serve_ClientsResetMidBody_CountedAsGoneAndNothingLoggedAsAFailure()
    {
        using var server = await ServeProcess.StartAsync("--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", "--threads", "1");
        var head = $"POST /v1/completions HTTP/1.1\r\nHost: {server.Address.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";

        for (var i = 0; i < 20; i++)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(server.Address.Host, server.Address.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes(head + "{\"prompt\": \"Once"));
            await Task.Delay(20);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }

        for (var i = 0; i < 100 && await server.MetricAsync("strata_requests_total{status=\"499\"}") < 20; i++)
            await Task.Delay(50);
        Assert.Equal(0, await server.MetricAsync("strata_requests_total{status=\"500\"}"));
        Assert.InRange(await server.MetricAsync("strata_requests_total{status=\"499\"}"), 1, 20);
        Assert.DoesNotContain("fail:", server.Log);
    }

    [Theory]
    [InlineData("soak", "--disconnect", "1.5")]
    [InlineData("soak", "--requests", "0")]
    [InlineData("soak", "--concurrency", "-1")]
    [InlineData("fuzz", "--cases", "0")]
    [InlineData("fuzz", "--max-memory-growth", "lots")]
    public void Invoke_BadOption_FailsBeforeSending(string verb, string option, string value)
    {
        var result = CliProcess.Run("bench", verb, "--url", "http://127.0.0.1:1", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(option, result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    private static async Task<(int Exit, string Output)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var bench = new Command("bench") { BenchSoakCommand.Create(), BenchFuzzCommand.Create() };
        var exit = await new RootCommand { bench }.Parse(["bench", .. args])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false });
        return (exit, output.ToString());
    }
}
