using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Strata.Cli.Commands.Bench;
using Strata.Engine.Speculation;
using Strata.Models;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata bench -m MODEL</c>: prefill, decode and batched-decode speed of a model on this machine, beside the
/// memory-bandwidth roof and the int8 peak. The model options belong to <c>bench</c> itself, so other benchmarks
/// (say <c>bench serve</c>) can be attached as subcommands of <see cref="Create"/>'s command.
/// </summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model to benchmark" };
        var prompt = new Option<int>("--prompt", "-p") { Description = "Prompt length of the prefill test", DefaultValueFactory = _ => 512 }.MustBePositive();
        var gen = new Option<int>("--gen", "-n") { Description = "Tokens generated per decode test", DefaultValueFactory = _ => 128 }.MustBePositive();
        var depth = new Option<int>("--depth", "-d") { Description = "Context depth of the second decode test", DefaultValueFactory = _ => 512 }.MustNotBeNegative();
        var batch = new Option<string>("--batch", "-b") { Description = "Sequence counts decoding together, comma-separated", DefaultValueFactory = _ => "1,4,16,32" };
        var batchPrompt = new Option<int>("--batch-prompt") { Description = "Prompt length of each sequence in the batched test", DefaultValueFactory = _ => 128 }.MustBePositive();
        var threads = ThreadsOption.Create();
        var repetitions = new Option<int>("--repetitions", "-r") { Description = "Timed repetitions of each test", DefaultValueFactory = _ => 3 }.MustBePositive();
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file" };
        var kvType = KvCacheTypeOption.Create();
        var plot = new Option<string?>("--plot") { Description = "Also draw PNG charts into this directory: single-sequence speeds, batched decode", HelpName = "dir" };
        var speculative = new Option<string?>("--speculative")
        {
            Description = "Also decode -n tokens of input-grounded prompts one request at a time through the engine, without speculation and with each of these methods (comma-separated: ngram, suffix)",
            HelpName = "methods",
        };
        var command = new Command("bench", "Measure prefill, decode and batched decode speed of a model")
        {
            model, prompt, gen, depth, batch, batchPrompt, threads, repetitions, json, kvType, plot, speculative,
        };
        command.SetAction(result => CliRunner.Run(() =>
        {
            var options = new ModelBenchOptions
            {
                ModelPath = result.GetValue(model) ?? throw new ArgumentException("--model is required"),
                Prompt = result.GetValue(prompt),
                Generate = result.GetValue(gen),
                Depth = result.GetValue(depth),
                Batches = result.GetValue(batch)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(b => OptionRules.Positive(int.Parse(b, CultureInfo.InvariantCulture), "--batch")).ToArray(),
                BatchedPrompt = result.GetValue(batchPrompt),
                Threads = result.GetValue(threads),
                Repetitions = result.GetValue(repetitions),
                KvType = result.GetValue(kvType),
            };
            var methods = SpeculativeMethods(result.GetValue(speculative));
            var report = Measure(options);
            if (methods.Count > 0)
                report = report with { Speculation = MeasureSpeculation(options, methods) };
            Print(report);
            if (result.GetValue(json) is { } path)
                File.WriteAllText(path, JsonSerializer.Serialize(report, Json) + Environment.NewLine);
            if (result.GetValue(plot) is { } directory)
            {
                foreach (var chart in ModelBenchPlots.Write(directory, report))
                    Console.Error.WriteLine($"wrote {chart}");
            }
            return 0;
        }));
        return command;
    }

    private static ModelBenchReport Measure(ModelBenchOptions options)
    {
        using var benchmark = new ModelBenchmark(options);
        if (Console.IsOutputRedirected)
            return benchmark.Run((phase, _) => Console.Error.WriteLine($"bench: {phase}"));
        ModelBenchReport? report = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                report = benchmark.Run((phase, done) =>
                {
                    task.Description = phase;
                    task.Value = done;
                });
            });
        return report!;
    }

    private static List<SpeculativeMethod> SpeculativeMethods(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name => name switch
        {
            "ngram" => SpeculativeMethod.Ngram,
            "suffix" => SpeculativeMethod.Suffix,
            _ => throw new ArgumentException($"--speculative takes ngram and suffix, got '{name}'"),
        })];

    private static List<SpeculationResult> MeasureSpeculation(ModelBenchOptions options, List<SpeculativeMethod> methods)
    {
        using var loaded = LoadedModel.Load(options.ModelPath);
        var benchmark = new SpeculationBenchmark(loaded, options.Threads, options.KvType, options.Generate, options.Repetitions);
        var results = new List<SpeculationResult>();
        foreach (var method in methods.Select(m => (SpeculativeMethod?)m).Prepend(null))
        {
            Console.Error.WriteLine($"bench: engine decode, speculation {method?.ToString().ToLowerInvariant() ?? "off"}");
            results.Add(benchmark.Measure(method));
        }
        return results;
    }

    private static void Print(ModelBenchReport r)
    {
        var table = new Table().AddColumns("test", "tok/s", "note");
        table.Title = new TableTitle($"{r.Model} · {r.Threads} threads · {r.Simd}");
        table.AddRow($"prefill pp{r.Prompt}", F(r.PrefillTokS), "one sequence, one pass");
        table.AddRow($"decode tg{r.Generate}", F(r.DecodeTokS), $"{r.DecodeRooflineFraction:P0} of the {r.DecodeRoofGbS:F1} GB/s roof probed beside it");
        table.AddRow($"decode tg{r.Generate} @ d{r.Depth}", F(r.DecodeDepthTokS), $"{r.DecodeDepthRooflineFraction:P0} of the roof probed beside it");
        foreach (var b in r.Batched)
            table.AddRow($"batched decode ×{b.Batch}", F(b.DecodeTokS), $"prefill {F(b.PrefillTokS)} tok/s");
        foreach (var s in r.Speculation)
        {
            var off = r.Speculation[0].DecodeTokS;
            table.AddRow($"engine decode, {s.Method}", F(s.DecodeTokS), s.Method == "off"
                ? "one request at a time, input-grounded prompts"
                : $"{s.DecodeTokS / off:F2}× · {s.AcceptedTokens} of {s.DraftTokens} drafts accepted");
        }
        table.AddRow("int8 peak", $"{r.Int8PeakGmacs:F0} GMAC/s", "vpmaddubsw+vpmaddwd, all threads");
        table.AddRow($"KV cache {r.KvType}", $"{r.KvBytesPerToken / 1024.0:F1} KiB/token", $"{(1L << 30) / (4096 * r.KvBytesPerToken)} sequences of 4096 tokens per GiB");
        table.AddRow("GC", $"{r.GcCount}", $"{r.GcPauseMs:F1} ms paused");
        AnsiConsole.Write(table);
        Console.WriteLine($"roof: best of 5 passes over 1 GiB, probed before and after every {ModelBenchmark.SegmentTokens} timed decode steps, each {ModelBenchmark.SegmentTokens} against the higher probe beside them");
        Console.WriteLine($"roof probes, GB/s: tg{r.Generate} {Gbs(r.DecodeRoofProbesGbS)}; @ d{r.Depth} {Gbs(r.DecodeDepthRoofProbesGbS)}; at the start {r.MemBwGbS:F1}");
    }

    private static string Gbs(IEnumerable<double> probes) => string.Join(", ", probes.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)));

    private static string F(double tokensPerSecond) => tokensPerSecond.ToString("F1", CultureInfo.InvariantCulture);
}
