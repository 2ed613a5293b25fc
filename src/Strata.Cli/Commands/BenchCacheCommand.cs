using Strata.KvCache;
using System.CommandLine;
using System.Diagnostics;
using Strata.Engine;
using Strata.Engine.Requests;
using Strata.Engine.Sampling;
using Strata.Models;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata bench cache</c>: time to first token for a prompt whose first N tokens are cached, served cold, from
/// the working pool, from the host tier, from the disk tier and (with <c>--remote-cache</c>) from the remote store, read
/// by a second engine that never computed it.
/// </summary>
internal static class BenchCacheCommand
{
    public static Command Create()
    {
        var model = ModelOption.Create();
        var prefix = new Option<int>("--prefix") { Description = "Cached prefix length in tokens", DefaultValueFactory = _ => 2000 };
        var suffix = new Option<int>("--suffix") { Description = "New tokens after the prefix", DefaultValueFactory = _ => 16 };
        var batched = new Option<int>("--max-num-batched-tokens") { Description = "Token budget of a step", DefaultValueFactory = _ => 512 };
        var threads = ThreadsOption.Create();
        var directory = new Option<string?>("--disk-cache-dir") { Description = "Disk tier directory (default: a temporary one, deleted afterwards)" };
        var remoteCache = new Option<string?>("--remote-cache") { Description = "Also measure the remote tier: redis://host:port (its store should be empty)" };
        var plot = new Option<string?>("--plot") { Description = "Also draw a PNG chart of the time to first token per tier into this directory", HelpName = "dir" };
        var command = new Command("cache", "Time to first token with a cached prefix: cold, working pool, host, disk and remote tiers")
        {
            model, prefix, suffix, batched, threads, directory, remoteCache, plot,
        };
        command.SetAction(result => CliRunner.RunAsync(async () =>
        {
            using var loaded = LoadedModel.Load(ModelOption.Resolve(result.GetValue(model)));
            var prefixLength = result.GetValue(prefix);
            var suffixLength = result.GetValue(suffix);
            if (prefixLength < 16 || suffixLength < 1)
                throw new ArgumentException("--prefix must be at least 16 and --suffix at least 1");
            var diskDirectory = result.GetValue(directory) ?? Path.Combine(Path.GetTempPath(), $"strata-bench-cache-{Environment.ProcessId}");
            var layout = loaded.Model.KvLayout(16, KvDataType.F16);
            var prefixBytes = (long)(prefixLength / 16) * layout.BlockBytes;
            var options = new EngineOptions
            {
                Threads = result.GetValue(threads),
                KvCacheBytes = 3 * (prefixBytes + 64 * layout.BlockBytes),
                HostCacheBytes = 2 * prefixBytes,
                DiskCacheDirectory = diskDirectory,
                DiskCacheBytes = 4 * prefixBytes,
                MaxBatchedTokens = result.GetValue(batched),
                MaxModelLength = prefixLength + 4 * suffixLength + 16,
                RemoteCacheUrl = result.GetValue(remoteCache),
            };
            try
            {
                using var engine = InferenceEngine.Start(loaded, options);
                var tokens = new PromptMaker(loaded, prefixLength, suffixLength);
                await TimeFirstToken(engine, tokens.Warmup());
                var cold = await TimeFirstToken(engine, tokens.Next());
                var pool = await TimeFirstToken(engine, tokens.Next());
                await engine.ResetPrefixCacheAsync(includingHost: false);
                var host = await TimeFirstToken(engine, tokens.Next());
                await engine.FlushCacheAsync();
                await engine.ResetPrefixCacheAsync(includingHost: true);
                var disk = await TimeFirstToken(engine, tokens.Next());
                var runs = new List<(string Name, (double Seconds, int Cached) Run)>
                {
                    ("cold", cold), ("working pool", pool), ("host tier", host), ("disk tier", disk),
                };
                if (options.RemoteCacheUrl is not null)
                {
                    // A second node with nothing but the shared store: its prefix can only come from the remote tier.
                    using var other = InferenceEngine.Start(loaded, options with { HostCacheBytes = 0, DiskCacheDirectory = null });
                    await TimeFirstToken(other, tokens.Warmup());
                    runs.Add(("remote tier", await TimeFirstToken(other, tokens.Next())));
                    var remote = other.Stats.Tier("remote")!;
                    Console.Error.WriteLine($"remote tier: {remote.LoadedBlocks} blocks, {remote.LoadedBytes / 1e6:F0} MB read in {remote.LoadSeconds * 1000:F0} ms = {remote.LoadedBytes / 1e6 / Math.Max(remote.LoadSeconds, 1e-9):F0} MB/s");
                    Console.Error.WriteLine($"remote store as the first node saw it: {Describe(engine.Stats.Tier("remote")!)}");
                    Console.Error.WriteLine($"remote store as the second node saw it: {Describe(remote)}");
                }

                Console.WriteLine($"model {loaded.Name}, prefix {prefixLength} tokens ({prefixBytes / 1048576.0:F0} MiB of KV), suffix {suffixLength}, {options.Threads} threads");
                Console.WriteLine($"{"served from",-14} {"TTFT ms",10} {"cached",8} {"vs cold",9} {"over pool ms",13} {"MB/s",8}");
                foreach (var (name, run) in runs)
                {
                    var over = run.Seconds - pool.Seconds;
                    var rate = name.EndsWith("tier", StringComparison.Ordinal) && over > 0 ? $"{prefixBytes / over / 1e6,8:F0}" : $"{"",8}";
                    Console.WriteLine($"{name,-14} {run.Seconds * 1000,10:F1} {run.Cached,8} {cold.Seconds / run.Seconds,8:F1}x {over * 1000,13:F1} {rate}");
                }
                if (result.GetValue(plot) is { } plotDirectory)
                {
                    var chart = Path.Combine(plotDirectory, "ttft-by-tier.png");
                    Strata.Plots.Chart.Bars(chart, $"Time to first token, {prefixLength}-token prefix served from", "milliseconds",
                        runs.Select(r => (r.Name, r.Run.Seconds * 1000)).ToList());
                    Console.Error.WriteLine($"wrote {chart}");
                }
                return 0;
            }
            finally
            {
                if (result.GetValue(directory) is null && Directory.Exists(diskDirectory))
                    Directory.Delete(diskDirectory, recursive: true);
            }
        }));
        return command;
    }

    private static async Task<(double Seconds, int Cached)> TimeFirstToken(InferenceEngine engine, int[] prompt)
    {
        var clock = Stopwatch.StartNew();
        var handle = engine.Submit(new GenerationRequest { PromptTokens = prompt, Sampling = SamplingParams.Greedy with { MaxTokens = 1 } });
        await handle.Events.ReadAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        await foreach (var _ in handle.Events.ReadAllAsync())
        {
        }
        return (seconds, handle.CachedTokens);
    }

    private static string Describe(TierStats tier) =>
        string.Join(", ", new[] { $"hits {tier.Hits}", $"misses {tier.Misses}", $"written {tier.BytesWritten} B" }.Concat(tier.Details.Select(d => $"{d.Name} {d.Value}")));

    /// <summary>One fixed random prefix (BOS first) and a fresh random suffix per prompt.</summary>
    private sealed class PromptMaker(LoadedModel model, int prefixLength, int suffixLength)
    {
        private readonly Random _random = new(1234);
        private readonly int[] _prefix = [model.Tokenizer.BosId, .. Enumerable.Range(1, prefixLength - 1).Select(_ => 0)];

        /// <summary>A short unrelated prompt that warms the code paths up before anything is timed.</summary>
        public int[] Warmup()
        {
            var tokens = new int[64];
            Fill(tokens);
            return tokens;
        }

        public int[] Next()
        {
            if (_prefix[1] == 0)
                Fill(_prefix.AsSpan(1));
            var suffix = new int[suffixLength];
            Fill(suffix);
            return [.. _prefix, .. suffix];
        }

        private void Fill(Span<int> tokens)
        {
            for (var i = 0; i < tokens.Length; i++)
                tokens[i] = _random.Next(259, model.Config.VocabSize);
        }
    }
}
