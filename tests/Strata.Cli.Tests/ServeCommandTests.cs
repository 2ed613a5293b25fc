using System.Net;

namespace Strata.Cli.Tests;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_FreePort_AnswersThenStopsGracefullyOnSigterm()
    {
        using var server = await ServeProcess.StartAsync("--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", "--threads", "1");

        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health")).StatusCode);
        Assert.Equal(", there was a little girl", (await server.CompleteAsync("Once upon a time", 8)).Text);

        Assert.True(server.Terminate(TimeSpan.FromSeconds(10)), "strata serve did not stop on SIGTERM");
        Assert.Equal(0, server.ExitCode);
    }

    [Theory]
    [InlineData("--kv-cache-memory", "lots")]
    [InlineData("--kv-cache-dtype", "q4")]
    [InlineData("--kv-cache-dtype", "q5_1")]
    [InlineData("--port", "70000")]
    [InlineData("--max-queue", "0")]
    [InlineData("--host", "example.com")]
    [InlineData("--remote-cache-timeout", "0ms")]
    [InlineData("--remote-cache-timeout", "soon")]
    public void Serve_BadOption_FailsWithoutStarting(string option, string value)
    {
        // Should the option be accepted by mistake, the server must not take the default port or 2 GiB.
        string[] safe = option switch
        {
            "--port" => ["--kv-cache-memory", "16MiB"],
            "--kv-cache-memory" => ["--port", "0"],
            _ => ["--port", "0", "--kv-cache-memory", "16MiB"],
        };

        var result = CliProcess.Run(["serve", .. safe, option, value]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(value, result.Stderr);
        Assert.DoesNotContain("Serving", result.Stderr);
    }
}
