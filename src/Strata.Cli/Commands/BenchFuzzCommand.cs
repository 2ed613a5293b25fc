using System.CommandLine;
using Strata.Cli.Hardening;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata bench fuzz</c>: hostile requests generated over the documented request schema and HTTP itself, each
/// answer judged (no 5xx, an OpenAI error body naming the field on every 4xx), then the same whole-server checks as
/// the soak. The summary goes to stdout, progress to stderr; any violation makes the exit code non-zero.
/// </summary>
internal static class BenchFuzzCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base URL of the server, e.g. http://127.0.0.1:8000", Required = true };
        var cases = new Option<int>("--cases") { Description = "Cases to generate and send", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Cases in flight at once", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated cases (the same seed sends the same cases)", DefaultValueFactory = _ => 0 };
        var growth = SizeOption.Create("--max-memory-growth", "Resident memory the server may gain over the second half of the cases [default: 64MiB]");
        var model = new Option<string?>("--model") { Description = "Model name to send (default: the first one at /v1/models)" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer token (default: $OPENAI_API_KEY)" };
        var command = new Command("fuzz", "Send generated hostile requests and check every answer and the server afterwards")
        {
            url, cases, concurrency, seed, growth, model, apiKey,
        };
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var settings = new FuzzSettings
            {
                Url = result.GetValue(url)!,
                ApiKey = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                Model = result.GetValue(model),
                Cases = Positive(result.GetValue(cases), "--cases"),
                Concurrency = Positive(result.GetValue(concurrency), "--concurrency"),
                Seed = result.GetValue(seed),
                MaxMemoryGrowth = result.GetValue(growth) ?? 64L << 20,
            };
            var passed = await FuzzSession.RunAsync(settings, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellation);
            return passed ? 0 : CliRunner.Failure;
        }));
        return command;
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new ArgumentException($"{name} must be positive, got {value}");
}
