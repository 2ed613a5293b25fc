using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Strata.KvCache.Remote;

namespace Strata.TestSupport.Stores;

/// <summary>
/// A Redis-protocol server of our own on 127.0.0.1 and a free port, stopped by process id: redis-server when it is
/// installed (/usr/bin/redis-server or on PATH), else Garnet from the repository's dotnet tool manifest.
/// STRATA_TEST_STORE=redis|garnet forces one.
/// </summary>
public sealed class StoreServer : IDisposable
{
    public const string InstallHint = "install one with 'apt-get install -y redis-server' (or run 'dotnet tool restore' for Garnet)";
    private static readonly Lazy<string?> RedisPath = new(() => FindOnPath("redis-server"));
    private static readonly Lazy<bool> GarnetRestored = new(RestoreGarnet);
    private readonly string[] _extraArguments;
    private Process? _process;

    private StoreServer(string kind, int port, string directory, string[] extraArguments)
    {
        Kind = kind;
        Port = port;
        Directory = directory;
        _extraArguments = extraArguments;
    }

    public string Kind { get; }

    /// <summary>The port that speaks TLS, for a server started with <see cref="StartWithTls"/>.</summary>
    public int? TlsPort { get; private init; }

    /// <summary>The default user's password, when the server wants AUTH.</summary>
    public string? Password { get; private init; }

    public int Port { get; }

    public string Directory { get; }

    public RemoteEndpoint Endpoint => new("127.0.0.1", Port);

    public string Url => $"redis://127.0.0.1:{Port}";

    public static string? RedisServerPath => RedisPath.Value;

    /// <summary>Starts a plain server, preferring redis-server (starts in milliseconds) over Garnet (about a second).</summary>
    public static StoreServer Start()
    {
        var forced = Environment.GetEnvironmentVariable("STRATA_TEST_STORE");
        var kind = forced switch
        {
            "redis" or "garnet" => forced,
            _ when RedisPath.Value is not null => "redis",
            _ when GarnetRestored.Value => "garnet",
            _ => throw new InvalidOperationException($"No Redis-protocol server for the remote-tier tests: {InstallHint}."),
        };
        var server = new StoreServer(kind, FreePort(), System.IO.Directory.CreateTempSubdirectory("strata-store-").FullName, []);
        server.Launch();
        return server;
    }

    /// <summary>
    /// A redis-server that wants <c>AUTH</c>: <paramref name="password"/> for the default user (<c>requirepass</c>) and,
    /// when <paramref name="user"/> is given, an ACL user of that name with the same password.
    /// </summary>
    public static StoreServer StartWithPassword(string password, string? user = null)
    {
        if (RedisPath.Value is null)
            throw new InvalidOperationException($"The AUTH tests need redis-server: {InstallHint}.");
        string[] arguments = user is null
            ? ["--requirepass", password]
            : ["--requirepass", password, "--user", user, "on", ">" + password, "~*", "&*", "+@all"];
        var server = new StoreServer("redis", FreePort(), System.IO.Directory.CreateTempSubdirectory("strata-store-").FullName, arguments) { Password = password };
        server.Launch();
        return server;
    }

    /// <summary>
    /// A redis-server that also listens for TLS on <see cref="TlsPort"/> with the given PEM certificate and key (the
    /// plain port stays for set-up), wanting <paramref name="password"/> when one is given.
    /// </summary>
    public static StoreServer StartWithTls(string certificatePem, string keyPem, string? password = null)
    {
        if (RedisPath.Value is null)
            throw new InvalidOperationException($"The TLS tests need redis-server: {InstallHint}.");
        var directory = System.IO.Directory.CreateTempSubdirectory("strata-tls-").FullName;
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificatePem);
        File.WriteAllText(Path.Combine(directory, "key.pem"), keyPem);
        var tlsPort = FreePort();
        string[] arguments =
        [
            "--tls-port", $"{tlsPort}", "--tls-cert-file", "cert.pem", "--tls-key-file", "key.pem", "--tls-ca-cert-file", "cert.pem",
            "--tls-auth-clients", "no", .. password is null ? Array.Empty<string>() : ["--requirepass", password],
        ];
        var server = new StoreServer("redis", FreePort(), directory, arguments) { Password = password, TlsPort = tlsPort };
        server.Launch();
        return server;
    }

    /// <summary>A redis-server node with cluster mode on (its slots are assigned by <see cref="StoreCluster"/>).</summary>
    public static StoreServer StartClusterNode()
    {
        if (RedisPath.Value is null)
            throw new InvalidOperationException($"The Redis Cluster test needs redis-server and redis-cli: {InstallHint}.");
        var directory = System.IO.Directory.CreateTempSubdirectory("strata-cluster-").FullName;
        var server = new StoreServer("redis", FreePort(clusterBus: true), directory,
            ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"]);
        server.Launch();
        return server;
    }

    /// <summary>Kills the server process (no shutdown handshake: as a crash or a power cut would).</summary>
    public void Kill()
    {
        if (_process is null)
            return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Freezes the server process (SIGSTOP) for <paramref name="duration"/>, as a server starved of CPU would stall:
    /// connections stay open and nothing is answered until it resumes. Needs redis-server (Garnet runs under a
    /// launcher process whose child would keep running).
    /// </summary>
    public async Task StallAsync(TimeSpan duration)
    {
        if (Kind != "redis" || _process is null)
            throw new InvalidOperationException($"stalling a server needs redis-server: {InstallHint}");
        Signal("STOP");
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            Signal("CONT");
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, $"{_process!.Id}"]) { UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
    }

    /// <summary>Starts the server again on the same port, empty.</summary>
    public void Restart()
    {
        Kill();
        Launch();
    }

    internal RawStoreClient Connect() => new(Endpoint, Password);

    public void Dispose()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }

    private void Launch()
    {
        var start = Kind == "redis"
            ? new ProcessStartInfo(RedisPath.Value ?? "redis-server")
            {
                ArgumentList = { "--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Directory },
                WorkingDirectory = Directory,
            }
            : new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "tool", "run", "garnet-server", "--", "--port", $"{Port}", "--bind", "127.0.0.1", "-m", "256m", "-i", "16m", "--logger-level", "Warning" },
                WorkingDirectory = RepositoryRoot(),
            };
        foreach (var argument in _extraArguments)
            start.ArgumentList.Add(argument);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Kind}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilAnswering(TimeSpan.FromSeconds(Kind == "redis" ? 10 : 60));
        if (Kind == "garnet")
            WarmUp();
    }

    /// <summary>
    /// Runs the commands the store uses a few times with a patient client: a fresh Garnet compiles its command paths
    /// on first use and then misses the store's 50 ms deadline, which would make the first test operations fail.
    /// </summary>
    private void WarmUp()
    {
        using var client = Connect();
        var value = new byte[600_000];
        for (var i = 0; i < 30; i++)
        {
            client.Set("warm-up", value);
            client.Get("warm-up");
            client.Get("warm-up-missing");
            client.Command("SET", "warm-up-nx", "1", "NX", "PX", "1000");
            client.Command("PTTL", "warm-up-nx");
        }
        client.Command("FLUSHALL");
    }

    private void WaitUntilAnswering(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = Connect();
                if (client.Command("PING").Text == "PONG")
                    return;
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                if (watch.Elapsed > timeout || _process!.HasExited)
                    throw new InvalidOperationException($"{Kind} on port {Port} did not start: {e.Message}");
            }
            Thread.Sleep(20);
        }
    }

    /// <summary>A port free now (and its cluster bus port, +10000, for cluster nodes).</summary>
    private static int FreePort(bool clusterBus = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 30000);
            if (IsFree(port) && (!clusterBus || IsFree(port + 10000)))
                return port;
            if (attempt > 100)
                throw new InvalidOperationException("no free port");
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string program)
    {
        if (File.Exists($"/usr/bin/{program}"))
            return $"/usr/bin/{program}";
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);
    }

    private static bool RestoreGarnet()
    {
        var restore = Process.Start(new ProcessStartInfo("dotnet", "tool restore")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        if (restore is null)
            return false;
        restore.StandardOutput.ReadToEnd();
        restore.StandardError.ReadToEnd();
        restore.WaitForExit();
        return restore.ExitCode == 0;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, ".config", "dotnet-tools.json")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException($"no .config/dotnet-tools.json above the test binaries: {InstallHint}");
    }
}
