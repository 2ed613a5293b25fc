using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata bench serve</c>: a load generator for any OpenAI-compatible server (Strata, llama.cpp's llama-server,
/// vLLM), in the manner of <c>vllm bench serve</c>, so that every server is measured by the same client.
/// The table goes to stdout, progress to stderr.
/// </summary>
internal static class BenchServeCommand
{
    private const string CompletionsPath = "/v1/completions";
    private const string ChatCompletionsPath = "/v1/chat/completions";

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Base URL of the server, e.g. http://127.0.0.1:8080", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "API path", DefaultValueFactory = _ => CompletionsPath }
            .AcceptOnlyFromAmong(CompletionsPath, ChatCompletionsPath);
        var model = new Option<string?>("--model") { Description = "Model name to send (default: the first one at /v1/models)" };
        var dataset = new Option<string>("--dataset") { Description = "random, or shared-prefix for prefix-cache benchmarks", DefaultValueFactory = _ => "random" }
            .AcceptOnlyFromAmong("random", "shared-prefix");
        var maxConcurrency = new Option<int?>("--max-concurrency") { Description = "Most requests in flight at once (default: unlimited)" };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Ask the server to generate exactly max_tokens (sends ignore_eos: true)" };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0 };
        var logitBias = new Option<string?>("--logit-bias-json") { Description = "logit_bias to send, as a JSON object of token id → bias" };
        var json = new Option<string?>("--json") { Description = "Also write settings, summary and per-request results to this JSON file" };
        var plot = new Option<string?>("--plot") { Description = "Also draw PNG charts into this directory: TTFT and inter-token latency CDFs, throughput over time", HelpName = "dir" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer token (default: $OPENAI_API_KEY)" };
        var tierMix = new Option<string?>("--tier-mix") { Description = "Send service tiers in these shares, e.g. priority=0.2,default=0.5,flex=0.3, and report attainment per tier" };
        var slo = SloOption.Create(new Strata.Engine.Control.ServiceLevels());
        var workload = new WorkloadOptions();
        var command = new Command("serve", "Benchmark an OpenAI-compatible server with a stream of requests")
        {
            url, endpoint, model, dataset, maxConcurrency, ignoreEos, temperature, logitBias, json, plot, apiKey, tierMix, slo,
        };
        foreach (var option in workload.All)
            command.Options.Add(option);
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var chosenDataset = workload.Dataset(result, result.GetValue(dataset)!);
            var settings = new ServeBenchmarkSettings
            {
                Url = result.GetValue(url)!,
                Endpoint = result.GetValue(endpoint) == ChatCompletionsPath ? ApiEndpoint.ChatCompletions : ApiEndpoint.Completions,
                Model = result.GetValue(model),
                ApiKey = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                Dataset = chosenDataset,
                RequestRate = result.GetValue(workload.RequestRate),
                Burstiness = workload.Burst(result),
                MaxConcurrency = result.GetValue(maxConcurrency) is { } limit ? OptionRules.Positive(limit, "--max-concurrency") : null,
                Temperature = result.GetValue(temperature),
                IgnoreEos = result.GetValue(ignoreEos),
                LogitBias = result.GetValue(logitBias) is { } bias ? ParseLogitBias(bias) : null,
                Seed = result.GetValue(workload.Seed),
                Goodput = workload.Slo(result),
                TierMix = result.GetValue(tierMix) is { } mix ? TierMix.Parse(mix) : null,
                Slo = SloOption.Apply(new Strata.Engine.Control.ServiceLevels(), result.GetValue(slo) ?? []),
            };

            var outcome = await ServeBenchmarkSession.RunAsync(settings, result.InvocationConfiguration.Error, cancellation);
            TableReport.Write(result.InvocationConfiguration.Output, outcome);
            if (result.GetValue(json) is { } path)
            {
                await using var file = File.Create(path);
                JsonReport.Write(file, settings, outcome);
            }
            if (result.GetValue(plot) is { } directory)
            {
                foreach (var chart in ServePlots.Write(directory, outcome))
                    result.InvocationConfiguration.Error.WriteLine($"wrote {chart}");
            }
            // A run in which nothing succeeded measured nothing; scripts should see that as a failure.
            return outcome.Summary.Completed > 0 ? 0 : CliRunner.Failure;
        }));
        return command;
    }

    private static JsonElement ParseLogitBias(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new ArgumentException("--logit-bias-json must be a JSON object of token id → bias");
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"--logit-bias-json is not valid JSON: {ex.Message}", ex);
        }
    }
}
