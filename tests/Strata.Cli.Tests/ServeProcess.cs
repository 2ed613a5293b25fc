using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Strata.Cli.Tests;

/// <summary>A <c>strata serve</c> (or <c>strata router</c>) child process on a free port, with helpers for its completions and metrics.</summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Task _logReader;

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        _logReader = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_log)
                    _log.AppendLine(line);
            }
        });
    }

    public HttpClient Http { get; }

    public Uri Address => Http.BaseAddress!;

    /// <summary>What the server has logged since it started listening.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>Sends SIGTERM and waits for the process to exit; false if it did not in time.</summary>
    public bool Terminate(TimeSpan timeout)
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]).WaitForExit();
        return _process.WaitForExit(timeout);
    }

    public static Task<ServeProcess> StartAsync(params string[] args) => StartAsync(CliProcess.StartInfo(["serve", "--port", "0", .. args]));

    /// <summary>A <c>strata router</c> in front of the given nodes.</summary>
    public static Task<ServeProcess> StartRouterAsync(params string[] args) => StartAsync(CliProcess.StartInfo(["router", "--port", "0", .. args]));

    /// <summary>Starts a server as <paramref name="start"/> says (it must listen on a free port) and waits until it listens.</summary>
    public static async Task<ServeProcess> StartAsync(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        try
        {
            return new ServeProcess(process, await ReadListeningAddressAsync(process));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>A greedy completion: its text and <c>usage.prompt_tokens_details.cached_tokens</c>.</summary>
    public async Task<(string Text, int CachedTokens)> CompleteAsync(string prompt, int maxTokens)
    {
        var body = JsonSerializer.Serialize(new { prompt, max_tokens = maxTokens, temperature = 0 });
        using var response = await Http.PostAsync("/v1/completions", new StringContent(body));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"completion failed with {(int)response.StatusCode}: {json}");
        return (json.GetProperty("choices")[0].GetProperty("text").GetString()!,
            json.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    /// <summary>The value of one metric sample, e.g. <c>strata_kv_tier_loaded_blocks_total{tier="remote"}</c> (0 if absent).</summary>
    public async Task<double> MetricAsync(string sample)
    {
        var text = await Http.GetStringAsync("/metrics");
        // An unlabelled sample is written "name{} value" by the OpenTelemetry exporter.
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal) || l.StartsWith(sample + "{} ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>What the process wrote to stderr after its listening line, once it has exited.</summary>
    public string RemainingStderr()
    {
        _logReader.Wait(TimeSpan.FromSeconds(10));
        return Log;
    }

    /// <summary>SIGKILL: the server gets no chance to shut down or drain anything.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Http.Dispose();
        Kill();
        _logReader.Wait(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    private static async Task<Uri> ReadListeningAddressAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
                return new Uri(match.Groups[1].Value);
        }
        throw new InvalidOperationException("strata serve exited before it was listening");
    }

    [GeneratedRegex(@"(?:Serving|Routing) \S+ at (http://[^\s/]+/)")]
    private static partial Regex ListeningLine();
}
