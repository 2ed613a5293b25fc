using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata cluster up</c>: starts a local cluster — colocated <c>strata serve</c> nodes on free loopback ports and a
/// <c>strata router</c> in front of them — prints where they are, and on Ctrl-C or SIGTERM stops each by its process id
/// (SIGTERM, then SIGKILL after 30 s).
/// </summary>
internal static partial class ClusterCommand
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var model = ModelOption.Create();
        var both = new Option<int>("--both") { Description = "Colocated nodes (prefill and decode on each)", DefaultValueFactory = _ => 2 }.MustBePositive();
        var prefill = new Option<int>("--prefill") { Description = "Prefill-only nodes (not yet supported: the KV hand-off is not built)" }.MustNotBeNegative();
        var decode = new Option<int>("--decode") { Description = "Decode-only nodes (not yet supported: the KV hand-off is not built)" }.MustNotBeNegative();
        var port = PortOption.Create(8080);
        var threads = new Option<int>("--threads") { Description = "Compute threads per node", DefaultValueFactory = _ => 1 }.MustBePositive();
        var kvMemory = new Option<string?>("--kv-cache-memory") { Description = "KV cache memory per node, like 512MiB (default: strata serve's)" };
        var policy = new Option<string>("--policy") { Description = "The router's policy", DefaultValueFactory = _ => "kv-aware" };
        policy.AcceptOnlyFromAmong("kv-aware", "round-robin");
        var up = new Command("up", "Start colocated nodes and a router on this machine; Ctrl-C stops them all")
        {
            model, both, prefill, decode, port, threads, kvMemory, policy,
        };
        up.SetAction((result, cancellation) => CliRunner.RunAsync(async () =>
        {
            if (result.GetValue(prefill) > 0 || result.GetValue(decode) > 0)
                throw new ArgumentException("--prefill and --decode are not supported yet: nodes cannot hand KV blocks to each other; use --both");
            var modelPath = ModelOption.Resolve(result.GetValue(model));
            var children = new List<Process>();
            try
            {
                var nodeUrls = new List<string>();
                for (var i = 0; i < result.GetValue(both); i++)
                {
                    var nodePort = FreePort();
                    List<string> args = ["serve", "-m", modelPath, "--port", $"{nodePort}", "--threads", $"{result.GetValue(threads)}"];
                    if (result.GetValue(kvMemory) is { } memory)
                        args.AddRange(["--kv-cache-memory", memory]);
                    children.Add(StartChild(args));
                    nodeUrls.Add($"http://127.0.0.1:{nodePort}");
                    Console.WriteLine($"node   {nodeUrls[^1]}  pid {children[^1].Id}");
                }
                List<string> routerArgs = ["router", "-m", modelPath, "--port", $"{result.GetValue(port)}", "--policy", result.GetValue(policy)!];
                foreach (var url in nodeUrls)
                    routerArgs.AddRange(["--node", url]);
                children.Add(StartChild(routerArgs));
                Console.WriteLine($"router http://127.0.0.1:{result.GetValue(port)}  pid {children[^1].Id}");
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
