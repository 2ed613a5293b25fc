using System.CommandLine;
using Strata.Cli.Hardening;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata bench soak</c>: many mixed requests against a running server while a share of clients vanish, then checks
/// that the server is whole: KV blocks returned, integrity, no server error counted, the running cap kept,
/// <c>/health</c>, the same greedy text, bounded memory. The summary goes to stdout, progress to stderr; any violation
/// makes the exit code non-zero.
/// </summary>
internal static class BenchSoakCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base URL of the server (or a router), e.g. http://127.0.0.1:8000", Required = true };
        var requests = new Option<int>("--requests") { Description = "Requests to send after the warm-up", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 64 };
        var disconnect = new Option<double>("--disconnect") { Description = "Share of clients that vanish mid-upload, mid-prefill or mid-stream (RST or FIN)", DefaultValueFactory = _ => 0.2 };
        var warmup = new Option<int?>("--warmup") { Description = "Requests before resident memory is measured (default: a tenth of --requests)" };
        var growth = SizeOption.Create("--max-memory-growth", "Resident memory the server may gain from the warm-up to the end [default: 64MiB]");
        var model = new Option<string?>("--model") { Description = "Model name to send (default: the first one at /v1/models)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the requests", DefaultValueFactory = _ => 0 };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer token (default: $OPENAI_API_KEY)" };
        var command = new Command("soak", "Soak a server with mixed requests and vanishing clients, then check it is whole")
        {
            url, requests, concurrency, disconnect, warmup, growth, model, seed, apiKey,
        };
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var count = Positive(result.GetValue(requests), "--requests");
            var settings = new SoakSettings
            {
                Url = result.GetValue(url)!,
                ApiKey = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                Model = result.GetValue(model),
                Requests = count,
                Concurrency = Positive(result.GetValue(concurrency), "--concurrency"),
                Disconnect = Share(result.GetValue(disconnect)),
                Warmup = result.GetValue(warmup) is { } w ? (w >= 0 ? w : throw new ArgumentException("--warmup must not be negative")) : count / 10,
                MaxMemoryGrowth = result.GetValue(growth) ?? 64L << 20,
                Seed = result.GetValue(seed),
            };
            var whole = await SoakSession.RunAsync(settings, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellation);
            return whole ? 0 : CliRunner.Failure;
        }));
        return command;
    }

    private static double Share(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentException($"--disconnect must be in [0, 1], got {value}");

    private static int Positive(int value, string name) => value > 0 ? value : throw new ArgumentException($"{name} must be positive, got {value}");
}
