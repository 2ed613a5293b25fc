using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Strata.Cli.Tests;

public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_FreePort_AnswersThenStopsGracefullyOnSigterm()
    {
        using var process = Start("serve", "--port", "0", "--kv-cache-memory", "16MiB", "--max-num-batched-tokens", "64", "--threads", "1");
        try
        {
            var address = await ReadListeningAddressAsync(process);
            using var http = new HttpClient { BaseAddress = address };

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            using var completion = await http.PostAsync("/v1/completions", new StringContent("""{"prompt": "Once upon a time", "max_tokens": 8, "temperature": 0}"""));
            Assert.Contains("\"text\":\", there was a little girl\"", await completion.Content.ReadAsStringAsync());

            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "strata serve did not stop on SIGTERM");
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("--kv-cache-memory", "lots")]
    [InlineData("--kv-cache-dtype", "q4")]
    [InlineData("--port", "70000")]
    [InlineData("--max-queue", "0")]
    [InlineData("--host", "example.com")]
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

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "strata.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    private static async Task<Uri> ReadListeningAddressAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
                return new Uri(match.Groups[1].Value);
        }
        throw new InvalidOperationException("strata serve exited before it was listening");
    }

    [GeneratedRegex(@"Serving \S+ at (http://\S+):")]
    private static partial Regex ListeningLine();
}
