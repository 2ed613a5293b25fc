using System.CommandLine;
using System.Globalization;
using Strata.Engine;
using Strata.Models;
using Strata.Simulation;
using Strata.Simulation.Profiling;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata profile</c>: measures this engine's step cost law on this machine for one model and writes it as JSON,
/// the only source of times <c>strata sim</c> uses: the step cost law fitted on the engine's own steps, then the
/// server's time per request, per prompt token, per step and per streamed token over that law, measured through a real server.
/// Progress goes to stderr, the fitted law to stdout.
/// </summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var model = ModelOption.Create();
        var threads = ThreadsOption.Create();
        var output = new Option<string>("--output", "-o") { Description = "Where to write the profile (JSON)", Required = true };
        var kvMemory = SizeOption.Create("--kv-cache-memory", "Memory for the KV cache, as strata serve takes it [default: serve's]");
        var steps = new Option<string?>("--steps") { Description = "Also write the measured steps the law is fitted on (CSV)", HelpName = "file" };
        var server = new Option<string?>("--server")
        {
            Description = "Measure the server's time through this running strata serve (same model and threads) instead of one started in this process",
            HelpName = "url",
        };
        var command = new Command("profile", "Measure the engine's step cost on this machine for the simulator") { model, threads, output, kvMemory, steps, server };
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var path = ModelOption.Resolve(result.GetValue(model));
            var error = result.InvocationConfiguration.Error;
            error.WriteLine($"Profiling {Path.GetFileName(path)} with {result.GetValue(threads)} threads");
            StepProfile profile;
            var samples = new List<StepSample>();
            using (var loaded = LoadedModel.Load(path))
            {
                var options = new EngineOptions { Threads = result.GetValue(threads) };
                options = options with { KvCacheBytes = result.GetValue(kvMemory) ?? EngineSizing.DefaultKvCacheBytes(loaded, options) };
                profile = StepProfiler.Measure(loaded, Path.GetFileName(path), options, error, samples);
            }
            if (result.GetValue(steps) is { } stepsPath)
                File.WriteAllLines(stepsPath, [StepSample.CsvHeader, .. samples.Select(s => s.ToCsv())]);
            var overhead = result.GetValue(server) is { } url
                ? await ServerOverheadProbe.MeasureAsync(url, profile, error, cancellation)
                : await ServerOverheadProbe.MeasureAsync(path, profile, result.GetValue(kvMemory), error, cancellation);
            profile = profile with { ServerOverhead = overhead };
            profile.Save(result.GetValue(output)!);
            var c = profile.Cost;
            var o = profile.ServerOverhead;
            result.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step = {c.FixedSeconds * 1e3:F3} ms + {c.PrefillTokenSeconds * 1e3:F4} ms/prefill token + {c.DecodeSequenceSeconds * 1e3:F4} ms/decode sequence + {c.ContextTokenSeconds * 1e6:F4} us/context token + {c.PrefillAttentionSeconds * 1e9:F3} ns/(prefill token x context) + {c.LoneRowSeconds * 1e3:F3} ms/row run alone; block load {c.BlockLoadSeconds * 1e6:F2} us; fit on {profile.Steps} steps, mean error {profile.MeanRelativeError:P1}; server {o.RequestSeconds * 1e3:F1} ms/request + {o.PromptTokenSeconds * 1e6:F1} us/prompt token + {o.StepSeconds * 1e3:F2} ms/step + {o.TokenSeconds * 1e3:F2} ms/token"));
            return 0;
        }));
        return command;
    }
}
