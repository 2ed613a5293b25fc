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
        var numPrompts = new Option<int>("--num-prompts") { Description = "Requests to send (random dataset)", DefaultValueFactory = _ => 1000 };
        var requestRate = new Option<double>("--request-rate")
        {
            Description = "Mean arrivals per second, or inf to send everything at once",
            DefaultValueFactory = _ => double.PositiveInfinity,
            CustomParser = ParseRate,
        };
        var burstiness = new Option<double>("--burstiness") { Description = "Gamma shape of the arrival gaps: 1 is Poisson, below 1 burstier", DefaultValueFactory = _ => 1 };
        var maxConcurrency = new Option<int?>("--max-concurrency") { Description = "Most requests in flight at once (default: unlimited)" };
        var inputLength = new Option<int>("--random-input-len") { Description = "Prompt tokens per request (random dataset)", DefaultValueFactory = _ => 1024 };
        var outputLength = new Option<int>("--random-output-len") { Description = "Tokens to generate per request (max_tokens)", DefaultValueFactory = _ => 128 };
        var rangeRatio = new Option<double>("--random-range-ratio") { Description = "Draw lengths uniformly from L·(1 ± ratio) (random dataset)", DefaultValueFactory = _ => 0 };
        var groups = new Option<int>("--shared-prefix-groups") { Description = "Distinct system prompts (shared-prefix dataset)", DefaultValueFactory = _ => 8 };
        var prefixLength = new Option<int>("--shared-prefix-len") { Description = "Tokens per system prompt (shared-prefix dataset)", DefaultValueFactory = _ => 512 };
        var questions = new Option<int>("--questions-per-group") { Description = "Questions after each system prompt (shared-prefix dataset)", DefaultValueFactory = _ => 8 };
        var questionLength = new Option<int>("--question-len") { Description = "Tokens per question (shared-prefix dataset)", DefaultValueFactory = _ => 64 };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Ask the server to generate exactly max_tokens (sends ignore_eos: true)" };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0 };
        var logitBias = new Option<string?>("--logit-bias-json") { Description = "logit_bias to send, as a JSON object of token id → bias" };
        var seed = new Option<int>("--seed") { Description = "Seed of the prompts and the arrival times", DefaultValueFactory = _ => 0 };
        var goodput = new Option<string?>("--goodput") { Description = "SLOs for goodput in ms, e.g. ttft:500,tpot:50,e2e:5000" };
        var json = new Option<string?>("--json") { Description = "Also write settings, summary and per-request results to this JSON file" };
        var plot = new Option<string?>("--plot") { Description = "Also draw PNG charts into this directory: TTFT and inter-token latency CDFs, throughput over time", HelpName = "dir" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer token (default: $OPENAI_API_KEY)" };
        var tierMix = new Option<string?>("--tier-mix") { Description = "Send service tiers in these shares, e.g. priority=0.2,default=0.5,flex=0.3, and report attainment per tier" };
        var slo = SloOption.Create(new Strata.Engine.Control.ServiceLevels());
        var command = new Command("serve", "Benchmark an OpenAI-compatible server with a stream of requests")
        {
            url, endpoint, model, dataset, numPrompts, requestRate, burstiness, maxConcurrency, inputLength, outputLength, rangeRatio,
            groups, prefixLength, questions, questionLength, ignoreEos, temperature, logitBias, seed, goodput, json, plot, apiKey, tierMix, slo,
        };
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var chosenDataset = result.GetValue(dataset) switch
            {
                "shared-prefix" when result.GetResult(numPrompts) is { Implicit: false } =>
                    throw new ArgumentException("--num-prompts does not apply to shared-prefix, which sends groups × questions"),
                "shared-prefix" => (BenchmarkDataset)new SharedPrefixDataset(
                    OptionRules.Positive(result.GetValue(groups), "--shared-prefix-groups"),
                    OptionRules.Positive(result.GetValue(prefixLength), "--shared-prefix-len"),
                    OptionRules.Positive(result.GetValue(questions), "--questions-per-group"),
                    OptionRules.Positive(result.GetValue(questionLength), "--question-len"),
                    OptionRules.Positive(result.GetValue(outputLength), "--random-output-len")),
                _ => new RandomDataset(
                    OptionRules.Positive(result.GetValue(numPrompts), "--num-prompts"),
                    Lengths(result.GetValue(inputLength), "--random-input-len", result.GetValue(rangeRatio)),
                    Lengths(result.GetValue(outputLength), "--random-output-len", result.GetValue(rangeRatio))),
            };
            var settings = new ServeBenchmarkSettings
            {
                Url = result.GetValue(url)!,
                Endpoint = result.GetValue(endpoint) == ChatCompletionsPath ? ApiEndpoint.ChatCompletions : ApiEndpoint.Completions,
                Model = result.GetValue(model),
                ApiKey = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                Dataset = chosenDataset,
                RequestRate = result.GetValue(requestRate),
                Burstiness = OptionRules.Positive(result.GetValue(burstiness), "--burstiness"),
                MaxConcurrency = result.GetValue(maxConcurrency) is { } limit ? OptionRules.Positive(limit, "--max-concurrency") : null,
                Temperature = result.GetValue(temperature),
                IgnoreEos = result.GetValue(ignoreEos),
                LogitBias = result.GetValue(logitBias) is { } bias ? ParseLogitBias(bias) : null,
                Seed = result.GetValue(seed),
                Goodput = result.GetValue(goodput) is { } objectives ? GoodputSlo.Parse(objectives) : null,
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

    internal static double ParseRate(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (text.Equals("inf", StringComparison.OrdinalIgnoreCase))
            return double.PositiveInfinity;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0)
            return rate;
        result.AddError($"--request-rate must be a positive number or inf, got '{text}'");
        return 0;
    }

    internal static LengthRange Lengths(int target, string name, double rangeRatio)
    {
        if (rangeRatio is < 0 or >= 1)
            throw new ArgumentException($"--random-range-ratio must be in [0, 1), got {rangeRatio}");
        return new LengthRange(OptionRules.Positive(target, name), rangeRatio);
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
