using System.CommandLine;
using System.CommandLine.Parsing;
using Strata.Engine;
using Strata.Models;
using Strata.Models.Kv;
using Strata.Server;

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
        var port = new Option<int>("--port") { Description = "TCP port to listen on", DefaultValueFactory = _ => 8000 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var value and (< 0 or > 65535))
                r.AddError($"--port must be in [0, 65535], got {value}");
        });
        var threads = ThreadsOption.Create();
        var kvMemory = new Option<long?>("--kv-cache-memory")
        {
            Description = "Memory for the KV cache, like 2GiB, 512MiB, 1G or bytes [default: 2GiB]",
            CustomParser = ParseSize,
            HelpName = "size",
        };
        var blockSize = Positive(new Option<int>("--block-size") { Description = "Tokens per KV block", DefaultValueFactory = _ => defaults.BlockSize });
        var kvType = new Option<string>("--kv-cache-dtype") { Description = "Element type of the KV cache", DefaultValueFactory = _ => "f16" };
        kvType.AcceptOnlyFromAmong("f16", "f32");
        var batchedTokens = NonNegative(new Option<int>("--max-num-batched-tokens") { Description = "Token budget of one engine step (default: measured for a ~250 ms step)" });
        var sequences = Positive(new Option<int>("--max-num-seqs") { Description = "Sequences that may run at once", DefaultValueFactory = _ => defaults.MaxSequences });
        var queue = Positive(new Option<int>("--max-queue") { Description = "Requests that may wait; more are refused with 503", DefaultValueFactory = _ => defaults.MaxQueue });
        var maxModelLength = NonNegative(new Option<int>("--max-model-len") { Description = "Longest sequence, prompt plus output (default: the model's context)" });
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' on /v1 requests" };
        var command = new Command("serve", "Serve a model through an OpenAI-compatible HTTP API")
        {
            model, host, port, threads, kvMemory, blockSize, kvType, batchedTokens, sequences, queue, maxModelLength, apiKey,
        };
        command.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var engineOptions = new EngineOptions
            {
                Threads = result.GetValue(threads),
                KvCacheBytes = result.GetValue(kvMemory) ?? defaults.KvCacheBytes,
                BlockSize = result.GetValue(blockSize),
                KvDataType = result.GetValue(kvType) == "f32" ? KvDataType.F32 : KvDataType.F16,
                MaxBatchedTokens = result.GetValue(batchedTokens),
                MaxSequences = result.GetValue(sequences),
                MaxQueue = result.GetValue(queue),
                MaxModelLength = result.GetValue(maxModelLength),
            };
            var serverOptions = new ServerOptions { Host = result.GetValue(host)!, Port = result.GetValue(port), ApiKey = result.GetValue(apiKey) };

            using var loaded = LoadedModel.Load(ModelOption.Resolve(result.GetValue(model)));
            using var engine = InferenceEngine.Start(loaded, engineOptions);
            await using var server = await StrataServer.StartAsync(engine, serverOptions, cancellation);
            await server.WaitForShutdownAsync(cancellation);
            return 0;
        }));
        return command;
    }

    private static long? ParseSize(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (ByteSize.TryParse(text, out var bytes) && bytes > 0)
            return bytes;
        result.AddError($"--kv-cache-memory must be a size like 2GiB, 512MiB, 1G or a number of bytes, got '{text}'");
        return null;
    }

    private static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 and var value) r.AddError($"{option.Name} must be at least 1, got {value}"); });
        return option;
    }

    private static Option<int> NonNegative(Option<int> option)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 and var value) r.AddError($"{option.Name} must not be negative, got {value}"); });
        return option;
    }
}
