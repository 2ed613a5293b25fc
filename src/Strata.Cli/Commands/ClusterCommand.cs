using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Strata.KvCache.Remote;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata cluster up</c>: starts a local cluster — <c>strata serve</c> nodes (colocated, prefill and decode) on free
/// loopback ports and a <c>strata router</c> in front of them, given their URLs or (<c>--redis</c>) finding them in the
/// registry, with a redis-server of its own unless a store's URL is given — prints where they are, and on Ctrl-C or SIGTERM stops each by its process id
/// (SIGTERM, then SIGKILL after 30 s).
/// </summary>
internal static partial class ClusterCommand
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var model = ModelOption.Create();
        var both = new Option<int?>("--both") { Description = "Colocated nodes (prefill and decode on each) [default: 2 without --prefill/--decode, else 0]" };
        both.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0 and var value) r.AddError($"--both must not be negative, got {value}"); });
        var prefill = new Option<int>("--prefill") { Description = "Prefill nodes: they compute prompts and hand their KV blocks to decode nodes" }.MustNotBeNegative();
        var decode = new Option<int>("--decode") { Description = "Decode nodes: they pull prompts' KV blocks from prefill nodes and generate" }.MustNotBeNegative();
        var threshold = DisaggregationThreshold.Create();
        var port = PortOption.Create(8080);
        var threads = new Option<int>("--threads") { Description = "Compute threads per node", DefaultValueFactory = _ => 1 }.MustBePositive();
        var kvMemory = new Option<string?>("--kv-cache-memory") { Description = "KV cache memory per node, like 512MiB (default: strata serve's)" };
        var policy = new Option<string>("--policy") { Description = "The router's policy", DefaultValueFactory = _ => "kv-aware" };
        var redis = new Option<string?>("--redis")
        {
            Description = "Nodes register in a Redis-protocol store and the router finds them there: redis[s]://… of a running store, or no value to start redis-server on a free port",
            Arity = ArgumentArity.ZeroOrOne,
        };
        policy.AcceptOnlyFromAmong("kv-aware", "round-robin");
        var up = new Command("up", "Start nodes and a router on this machine; Ctrl-C stops them all")
        {
            model, both, prefill, decode, port, threads, kvMemory, policy, threshold, redis,
        };
        up.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            var prefillCount = result.GetValue(prefill);
            var decodeCount = result.GetValue(decode);
            if (prefillCount > 0 && decodeCount == 0)
                throw new ArgumentException("--prefill nodes need --decode nodes to hand their prompts to");
            var bothCount = result.GetValue(both) ?? (prefillCount + decodeCount > 0 ? 0 : 2);
            if (bothCount + prefillCount + decodeCount == 0)
                throw new ArgumentException("a cluster needs at least one node");
            var modelPath = ModelOption.Resolve(result.GetValue(model));
            var children = new List<Process>();
            try
            {
                var registry = result.GetResult(redis) is null ? null : result.GetValue(redis) ?? StartRedis(children);
                if (registry is not null)
                    RemoteStoreOptions.Parse(registry);
                var nodeUrls = new List<string>();
                var roles = Enumerable.Repeat("prefill", prefillCount).Concat(Enumerable.Repeat("decode", decodeCount)).Concat(Enumerable.Repeat("both", bothCount));
                foreach (var role in roles)
                {
                    var nodePort = FreePort();
                    List<string> args = ["serve", "-m", modelPath, "--port", $"{nodePort}", "--threads", $"{result.GetValue(threads)}", "--role", role];
                    if (result.GetValue(kvMemory) is { } memory)
                        args.AddRange(["--kv-cache-memory", memory]);
                    if (registry is not null)
                        args.AddRange(["--register", registry]);
                    children.Add(StartChild(args));
                    nodeUrls.Add($"http://127.0.0.1:{nodePort}");
                    Console.WriteLine($"{role,-7} {nodeUrls[^1]}  pid {children[^1].Id}");
                }
                List<string> routerArgs = ["router", "-m", modelPath, "--port", $"{result.GetValue(port)}", "--policy", result.GetValue(policy)!,
                    "--disagg-threshold", $"{result.GetValue(threshold)}"];
                if (registry is not null)
                    routerArgs.AddRange(["--registry", registry]);
                else
                    foreach (var url in nodeUrls)
                        routerArgs.AddRange(["--node", url]);
                children.Add(StartChild(routerArgs));
                Console.WriteLine($"router  http://127.0.0.1:{result.GetValue(port)}  pid {children[^1].Id}");
                await Task.WhenAny(Task.Delay(Timeout.Infinite, cancellation), Task.WhenAny(children.Select(c => c.WaitForExitAsync())));
                if (!cancellation.IsCancellationRequested)
                    Console.Error.WriteLine("error: a cluster process exited; stopping the others");
                return cancellation.IsCancellationRequested ? 0 : CliRunner.Failure;
            }
            finally
            {
                Stop(children);
            }
        }));
        var command = new Command("cluster", "Run a local cluster of nodes behind a router");
        command.Subcommands.Add(up);
        return command;
    }

    /// <summary>A redis-server on a free loopback port, without persistence; stopped with the cluster. Its URL.</summary>
    private static string StartRedis(List<Process> children)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
            start.ArgumentList.Add(arg);
        Process redis;
        try
        {
            redis = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new ArgumentException("--redis without a URL starts redis-server, which is not installed here: install it, or give the URL of a running store");
        }
        children.Add(redis);
        redis.OutputDataReceived += (_, _) => { };
        redis.BeginOutputReadLine();
        Console.WriteLine($"redis   redis://127.0.0.1:{port}  pid {redis.Id}");
        return $"redis://127.0.0.1:{port}";
    }

    /// <summary>A port free now (the OS picks it); the child binds it a moment later.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartChild(List<string> args)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        // Run as `dotnet strata.dll`, the entry assembly is an argument of the host.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start strata {args[0]}");
    }

    private static void Stop(List<Process> children)
    {
        // The router first, so no request goes to a node that is stopping.
        foreach (var child in Enumerable.Reverse(children).Where(c => !c.HasExited))
            _ = Kill(child.Id, SigTerm);
        foreach (var child in children)
        {
            if (!child.WaitForExit(StopTimeout))
                child.Kill();
            child.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
