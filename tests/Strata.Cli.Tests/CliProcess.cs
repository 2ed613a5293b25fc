using System.Diagnostics;

namespace Strata.Cli.Tests;

/// <summary>Runs the built <c>strata</c> CLI (or another program) as a child process and captures what it prints.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Run(StartInfo(args));

    /// <summary>How to start the built CLI with <paramref name="args"/>; the caller may add a directory or variables.</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var start = Program("dotnet", Path.Combine(AppContext.BaseDirectory, "strata.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>How to start any program with its output captured and no STRATA_* variables of the test run.</summary>
    public static ProcessStartInfo Program(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("STRATA_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        return start;
    }

    public static Result Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
