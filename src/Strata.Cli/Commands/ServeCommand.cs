using Strata.KvCache;
using System.CommandLine;
using System.CommandLine.Parsing;
using Strata.Engine;
using Strata.Engine.Guard;
using Strata.Models;
using Strata.Server;
using Strata.Server.Cluster;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata serve</c>: runs the OpenAI-compatible HTTP server for one model until Ctrl-C or SIGTERM, which stop it
/// gracefully (no new requests; running ones are cancelled and their KV blocks freed).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new EngineOptions();
        var model = ModelOption.Create();
        var host = new Option<string>("--host") { Description = "IP address to listen on, or localhost", DefaultValueFactory = _ => "127.0.0.1" };
        var port = PortOption.Create(8000);
        var threads = ThreadsOption.Create();
        var kvMemory = SizeOption.Create("--kv-cache-memory", "Memory for the KV cache, like 2GiB, 512MiB, 1G or bytes [default: 2GiB]");
        var blockSize = new Option<int>("--block-size") { Description = "Tokens per KV block", DefaultValueFactory = _ => defaults.BlockSize }.MustBePositive();
        var kvType = KvCacheTypeOption.Create();
        var batchedTokens = new Option<int>("--max-num-batched-tokens") { Description = "Token budget of one engine step (default: measured for a ~100 ms step, at least 64)" }.MustNotBeNegative();
        var sequences = new Option<int>("--max-num-seqs") { Description = "Sequences that may run at once", DefaultValueFactory = _ => defaults.MaxSequences }.MustBePositive();
        var queue = new Option<int>("--max-queue") { Description = "Requests that may wait; more are refused with 503", DefaultValueFactory = _ => defaults.MaxQueue }.MustBePositive();
        var maxModelLength = new Option<int>("--max-model-len") { Description = "Longest sequence, prompt plus output (default: the model's context)" }.MustNotBeNegative();
        var apiKeys = new Option<string[]>("--api-key")
        {
            Description = "Require 'Authorization: Bearer KEY' on /v1 requests; repeat for several keys (each a tenant with its own cache)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var noPrefixCache = new Option<bool>("--no-prefix-cache") { Description = "Do not reuse the KV of cached prompt prefixes" };
        var hostCache = SizeOption.Create("--host-cache-memory", "Host memory for blocks evicted from the KV cache, like 8GiB [default: none]");
        var hostDtype = new Option<string>("--host-cache-dtype") { Description = "Element type in the host tier: as the KV cache, or int8 (F16 and F32 caches)", DefaultValueFactory = _ => "native" };
        hostDtype.AcceptOnlyFromAmong("native", "int8");
        var diskDirectory = new Option<string?>("--disk-cache-dir") { Description = "Directory of the disk tier (blocks survive restarts) [default: none]" };
        var diskSize = SizeOption.Create("--disk-cache-size", "Size cap of the disk tier [default: 16GiB]");
        var cacheTtl = new Option<TimeSpan?>("--cache-ttl") { Description = "How long cached blocks are kept on disk and in the remote store, like 24h, 30m, 90s [default: 24h]", CustomParser = ParseDuration };
        var guard = new Option<string?>("--guard") { Description = "Content guard policy (JSON: banned_phrases, banned_patterns, banned_token_sequences, classifier)" };
        var remoteCache = new Option<string?>("--remote-cache") { Description = "Shared KV store over the Redis protocol: redis://host:port[,host:port…]" };
        var remoteTimeout = new Option<TimeSpan?>("--remote-cache-timeout") { Description = $"Longest wait for the remote store to connect or answer, like 50ms or 2s [default: {defaults.RemoteCacheTimeout.TotalMilliseconds:0}ms]", CustomParser = r => ParseDuration(r, "--remote-cache-timeout") };
        var role = new Option<string>("--role") { Description = "This node's role in a cluster (its router reads it at /cluster/node)", DefaultValueFactory = _ => "both" };
        role.AcceptOnlyFromAmong("both", "prefill", "decode");
        var leaseTtl = new Option<TimeSpan?>("--lease-ttl") { Description = "How long a prefill node holds a computed prompt's KV blocks for a decode node that has not pulled them [default: 30s]", CustomParser = r => ParseDuration(r, "--lease-ttl") };
        var maxRequestBytes = SizeOption.Create("--max-request-bytes", "Largest request body taken; larger ones get 413 [default: 1MiB, or 32 bytes per token of context if more]");
        var levels = defaults.ServiceLevels;
        var slo = SloOption.Create(levels);
        var scheduling = new Option<string>("--scheduling") { Description = "Order of service: by tier (then tenant round-robin, then arrival), or first come first served", DefaultValueFactory = _ => "tier" };
        scheduling.AcceptOnlyFromAmong("tier", "fcfs");
        var aging = new Option<TimeSpan?>("--aging") { Description = $"A waiting request rises one tier per this long waited [default: {levels.AgingStep.TotalSeconds:0}s]", CustomParser = r => ParseDuration(r, "--aging") };
        var rejection = new Option<bool>("--early-rejection") { Description = "Refuse at once (429 for flex, 503 otherwise) a request predicted to miss its tier's time-to-first-token target" };
        var margin = new Option<double>("--rejection-margin") { Description = "Refuse a request predicted to miss its TTFT target by more than this fraction of it", DefaultValueFactory = _ => levels.RejectionMargin };
        margin.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 and var value) r.AddError($"--rejection-margin must not be negative, got {value}"); });
        var tenants = new Option<string?>("--tenants") { Description = "Tenants file (JSON array: api_key, name, default_tier, max_concurrent, tokens_per_minute)", HelpName = "file" };
        var command = new Command("serve", "Serve a model through an OpenAI-compatible HTTP API")
        {
            model, host, port, threads, kvMemory, blockSize, kvType, batchedTokens, sequences, queue, maxModelLength, apiKeys,
            noPrefixCache, hostCache, hostDtype, diskDirectory, diskSize, cacheTtl, remoteCache, remoteTimeout, guard, maxRequestBytes, role, leaseTtl,
            slo, scheduling, aging, rejection, margin, tenants,
        };
        var speculative = new SpeculativeOptions();
        foreach (var option in speculative.All)
            command.Options.Add(option);
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var serviceLevels = SloOption.Apply(levels, result.GetValue(slo) ?? []) with
            {
                TierScheduling = result.GetValue(scheduling) == "tier",
                AgingStep = result.GetValue(aging) ?? levels.AgingStep,
                EarlyRejection = result.GetValue(rejection),
                RejectionMargin = result.GetValue(margin),
            };
            var tenantList = result.GetValue(tenants) is { } tenantsPath ? LoadTenants(tenantsPath) : [];
            var nodeRole = Enum.Parse<NodeRole>(result.GetValue(role)!, ignoreCase: true);
            if (nodeRole != NodeRole.Both && result.GetValue(noPrefixCache))
                throw new ArgumentException($"a {nodeRole.ToString().ToLowerInvariant()} node hands KV blocks over through the prefix cache: drop --no-prefix-cache");
            using var loaded = LoadedModel.Load(ModelOption.Resolve(result.GetValue(model)));
            using var contentGuard = result.GetValue(guard) is { } guardPath ? LoadGuard(guardPath, loaded) : null;
            var engineOptions = new EngineOptions
            {
                Guard = contentGuard,
                Threads = result.GetValue(threads),
                KvCacheBytes = result.GetValue(kvMemory) ?? defaults.KvCacheBytes,
                BlockSize = result.GetValue(blockSize),
                KvDataType = result.GetValue(kvType),
                MaxBatchedTokens = result.GetValue(batchedTokens),
                MaxSequences = result.GetValue(sequences),
                MaxQueue = result.GetValue(queue),
                MaxModelLength = result.GetValue(maxModelLength),
                PrefixCaching = !result.GetValue(noPrefixCache),
                HostCacheBytes = result.GetValue(hostCache) ?? 0,
                HostCacheInt8 = result.GetValue(hostDtype) == "int8",
                DiskCacheDirectory = result.GetValue(diskDirectory),
                DiskCacheBytes = result.GetValue(diskSize) ?? defaults.DiskCacheBytes,
                CacheTtl = result.GetValue(cacheTtl) ?? defaults.CacheTtl,
                ReceivesHandoffs = nodeRole == NodeRole.Decode,
                LeaseTtl = result.GetValue(leaseTtl) ?? defaults.LeaseTtl,
                RemoteCacheUrl = result.GetValue(remoteCache),
                RemoteCacheTimeout = result.GetValue(remoteTimeout) ?? defaults.RemoteCacheTimeout,
                ServiceLevels = serviceLevels,
                Speculation = speculative.Resolve(result),
            };
            var serverOptions = new ServerOptions
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                ApiKeys = result.GetValue(apiKeys) ?? [],
                Tenants = tenantList,
                MaxRequestBytes = result.GetValue(maxRequestBytes),
            };

            using var loggers = StrataServer.CreateLoggerFactory(serverOptions.LogLevel);
            var events = new KvEventFeed();
            using var engine = InferenceEngine.Start(loaded, engineOptions, loggers, e => events.Publish(e.Kind, e.Key.ToString(), e.Tier));
            serverOptions = serverOptions with { Node = ClusterNode.Identity(engine, nodeRole, events) };
            await using var server = await StrataServer.StartAsync(engine, serverOptions, cancellation);
            await server.WaitForShutdownAsync(cancellation);
            return 0;
        }));
        return command;
    }

    private static IReadOnlyList<TenantSettings> LoadTenants(string path)
    {
        try
        {
            return TenantSettings.Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FormatException or IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--tenants {path}: {ex.Message}", ex);
        }
    }

    private static TimeSpan? ParseDuration(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (SloOption.ParseDuration(text) is { } duration)
            return duration;
        result.AddError($"{name} must be a duration like 30s, 500ms or 2m, got '{text}'");
        return null;
    }

    private static ContentGuard LoadGuard(string path, LoadedModel model)
    {
        try
        {
            return ContentGuard.Load(path, model.Tokenizer);
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            throw new ArgumentException($"--guard {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses durations like 24h, 30m, 90s, 7d, or hh:mm:ss.</summary>
    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        var unit = text.Length > 1 ? text[^1] : ' ';
        var scale = unit switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, 'd' => 86400.0, _ => 0.0 };
        if (scale > 0 && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out var count) && count > 0)
            return TimeSpan.FromSeconds(count * scale);
        if (TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
            return span;
        result.AddError($"--cache-ttl must be a duration like 24h, 30m, 90s or 7d, got '{text}'");
        return null;
    }
}
