using System.Globalization;

namespace Strata.Engine.Core;

/// <summary>
/// Every step the engine thread runs, one CSV line each, to a file named by <c>STRATA_STEP_LOG</c> (off when unset): when
/// it ended (Unix milliseconds, to line steps up with a client's requests), how long the runner took, and what it ran.
/// The simulator's validation compares these with the simulated steps of the same workload, shape by shape.
/// </summary>
internal sealed class StepLog : IDisposable
{
    public const string Variable = "STRATA_STEP_LOG";
    private const string Header = "ended_unix_ms,seconds,sequences,prefill_tokens,decode_sequences,context_tokens,prefill_attention";

    private readonly StreamWriter _writer;

    public StepLog(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = false };
        _writer.WriteLine(Header);
    }

    /// <summary>The log the environment asks for, or null.</summary>
    public static StepLog? FromEnvironment() => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? new StepLog(path) : null;

    public void Write(StepRecord step) => _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},{step.Seconds:R},{step.Sequences},{step.PrefillTokens},{step.DecodeSequences},{step.ContextTokens},{step.PrefillAttention}"));

    /// <summary>The engine goes idle: what it logged is on disk before the next request.</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();
}
