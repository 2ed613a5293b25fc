using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using Strata.Engine;
using Strata.KvCache;
using Strata.KvCache.Remote;
using Strata.Server;
using Strata.Server.Cluster;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata serve</c>: runs the OpenAI-compatible HTTP server for one model until Ctrl-C or SIGTERM, which stop it
/// gracefully (no new requests; running ones are cancelled and their KV blocks freed).
/// </summary>
internal static class ServeCommand
{
    /// <summary>The longest drain: Program gives a stopping server two minutes in all, the disk tier's flush included.</summary>
    private static readonly TimeSpan MaxDrain = TimeSpan.FromSeconds(90);

    public static Command Create()
    {
        var defaults = new EngineOptions();
        var model = ModelOption.Create();
        var host = new Option<string>("--host") { Description = "IP address to listen on, or localhost", DefaultValueFactory = _ => "127.0.0.1" };
        var port = PortOption.Create(8000);
        var threads = ThreadsOption.Create();
        var kvMemory = SizeOption.Create("--kv-cache-memory", "Memory for the KV cache, like 2GiB, 512MiB, 1G or bytes [default: --max-num-seqs full-length sequences, at most 2GiB]");
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
        var cacheTtl = new Option<TimeSpan?>("--cache-ttl") { Description = "How long cached blocks are kept on disk and in the remote store, like 24h, 30m, 90s [default: 24h]", CustomParser = DurationOption.Parse };
        var guard = new Option<string?>("--guard") { Description = "Content guard policy (JSON: banned_phrases, banned_patterns, banned_token_sequences, classifier)" };
        var remoteCache = new Option<string?>("--remote-cache") { Description = "Shared KV store over the Redis protocol: redis[s]://[[user]:password@]host:port[,host:port…] (rediss: TLS; the password is sent with AUTH)" };
        var remoteTimeout = new Option<TimeSpan?>("--remote-cache-timeout") { Description = $"Longest wait for the remote store to connect or answer, like 50ms or 2s [default: {defaults.RemoteCacheTimeout.TotalMilliseconds:0}ms]", CustomParser = DurationOption.Parse };
        var role = new Option<string>("--role") { Description = "This node's role in a cluster (its router reads it at /cluster/node)", DefaultValueFactory = _ => "both" };
        role.AcceptOnlyFromAmong("both", "prefill", "decode");
        var register = new Option<string?>("--register") { Description = "Register this node for routers in a Redis-protocol store: redis[s]://[[user]:password@]host:port (a key with a TTL, refreshed by heartbeat, deleted on shutdown)" };
        var advertise = new Option<string?>("--advertise") { Description = "The URL routers reach this node at, like http://10.0.0.5:8000 [default: the address it listens on]" };
        advertise.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                r.AddError($"--advertise must be an http(s) URL like http://10.0.0.5:8000, got '{url}'");
        });
        var registerTtl = new Option<TimeSpan?>("--register-ttl") { Description = "How long the registry keeps this node's record after its last heartbeat (one every third of it) [default: 10s]", CustomParser = DurationOption.Parse };
        var logFormat = new Option<string>("--log-format") { Description = "Log lines on stderr as text or as JSON objects", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var logLevel = new Option<string>("--log-level") { Description = "Least severe messages logged", DefaultValueFactory = _ => "information" };
        logLevel.AcceptOnlyFromAmong("trace", "debug", "information", "warning", "error", "critical");
        var drainTimeout = new Option<TimeSpan?>("--drain-timeout")
        {
            Description = "On Ctrl-C or SIGTERM, how long running requests may finish (readiness is false, new requests get 503) before they are cancelled [default: 10s]",
            CustomParser = DurationOption.Parse,
        };
        var leaseTtl = new Option<TimeSpan?>("--lease-ttl") { Description = "How long a prefill node holds a computed prompt's KV blocks for a decode node that has not pulled them [default: 30s]", CustomParser = DurationOption.Parse };
        var maxRequestBytes = SizeOption.Create("--max-request-bytes", "Largest request body taken; larger ones get 413 [default: 1MiB, or 32 bytes per token of context if more]");
        var levels = defaults.ServiceLevels;
        var slo = SloOption.Create(levels);
        var scheduling = new Option<string>("--scheduling") { Description = "Order of service: by tier (then tenant round-robin, then arrival), or first come first served", DefaultValueFactory = _ => "tier" };
        scheduling.AcceptOnlyFromAmong("tier", "fcfs");
        var aging = new Option<TimeSpan?>("--aging") { Description = $"A waiting request rises one tier per this long waited [default: {levels.AgingStep.TotalSeconds:0}s]", CustomParser = DurationOption.Parse };
        var rejection = new Option<bool>("--early-rejection") { Description = "Refuse at once (429 for flex, 503 otherwise) a request predicted to miss its tier's time-to-first-token target" };
        var margin = new Option<double>("--rejection-margin") { Description = "Refuse a request predicted to miss its TTFT target by more than this fraction of it", DefaultValueFactory = _ => levels.RejectionMargin };
        margin.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 and var value) r.AddError($"--rejection-margin must not be negative, got {value}"); });
        var tenants = new Option<string?>("--tenants") { Description = "Tenants file (JSON array: api_key, name, default_tier, max_concurrent, tokens_per_minute)", HelpName = "file" };
        var config = ServeConfiguration.CreateOption();
        var command = new Command("serve", "Serve a model through an OpenAI-compatible HTTP API")
        {
            model, host, port, threads, kvMemory, blockSize, kvType, batchedTokens, sequences, queue, maxModelLength, apiKeys,
            noPrefixCache, hostCache, hostDtype, diskDirectory, diskSize, cacheTtl, remoteCache, remoteTimeout, guard, maxRequestBytes, role, leaseTtl,
            register, advertise, registerTtl, slo, scheduling, aging, rejection, margin, tenants, logFormat, logLevel, drainTimeout, config,
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
            var engineOptions = new EngineOptions
            {
                Threads = result.GetValue(threads),
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
            var format = result.GetValue(logFormat) == "json" ? LogFormat.Json : LogFormat.Text;
            var level = Enum.Parse<LogLevel>(result.GetValue(logLevel)!, ignoreCase: true);
            using var loggerFactory = ServerLogging.CreateFactory(format, level);
            var serverOptions = new ServerOptions
            {
                Host = result.GetValue(host)!,
                Port = result.GetValue(port),
                ApiKeys = result.GetValue(apiKeys) ?? [],
                LoggerFactory = loggerFactory,
                DrainTimeout = result.GetValue(drainTimeout) ?? new ServerOptions().DrainTimeout,
                Tenants = tenantList,
                MaxRequestBytes = result.GetValue(maxRequestBytes),
            };
            if (serverOptions.DrainTimeout > MaxDrain)
                throw new ArgumentException($"--drain-timeout must be at most {MaxDrain.TotalSeconds} s, got {serverOptions.DrainTimeout.TotalSeconds} s");

            var modelPath = ModelOption.Resolve(result.GetValue(model));
            var events = new KvEventFeed();
            serverOptions = serverOptions with { Node = NodeOf(nodeRole, events, result.GetValue(register), result.GetValue(advertise), result.GetValue(registerTtl), serverOptions.Host) };
            // The server answers its probes while the model loads: alive, not ready.
            var loading = Task.Run(() => ServedModel.Load(modelPath, result.GetValue(guard), engineOptions, result.GetValue(kvMemory), loggerFactory,
                e => events.Publish(e.Kind, e.Key.ToString(), e.Tier)), cancellation);
            try
            {
                await using var server = await StrataServer.StartAsync(EngineOf(loading), serverOptions, cancellation);
                await server.Loaded.WaitAsync(cancellation);
                await server.WaitForShutdownAsync(cancellation);
            }
            finally
            {
                if (loading.IsCompletedSuccessfully)
                    loading.Result.Dispose();
            }
            return 0;
        }));
        return command;
    }

    private static NodeIdentity NodeOf(NodeRole role, KvEventFeed events, string? registry, string? advertise, TimeSpan? ttl, string host)
    {
        var node = new NodeIdentity { Role = role, Events = events };
        if (registry is null)
        {
            if (advertise is not null || ttl is not null)
                throw new ArgumentException("--advertise and --register-ttl go with --register redis://…");
            return node;
        }
        RemoteStoreOptions.Parse(registry); // refuses a malformed URL now, saying why
        if (advertise is null && host is "0.0.0.0" or "::")
            throw new ArgumentException($"--register with --host {host}: say which address routers reach this node at with --advertise");
        if (ttl is { TotalSeconds: < 1 } tooShort)
            throw new ArgumentException($"--register-ttl must be at least 1s, got {tooShort.TotalMilliseconds} ms");
        return node with
        {
            RegistryUrl = registry,
            Advertise = advertise is null ? null : new Uri(advertise.EndsWith('/') ? advertise : advertise + "/"),
            RegistrationTtl = ttl ?? node.RegistrationTtl,
        };
    }

    private static async Task<InferenceEngine> EngineOf(Task<ServedModel> loading) => (await loading).Engine;

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
}
