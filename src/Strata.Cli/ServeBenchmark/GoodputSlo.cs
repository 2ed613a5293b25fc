using System.Globalization;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Service-level objectives for goodput, in milliseconds: a request counts only if it meets every one that is set.
/// Parsed from <c>ttft:MS,tpot:MS,e2e:MS</c> (any subset, any order).
/// </summary>
internal sealed record GoodputSlo(double? TtftMs, double? TpotMs, double? E2eMs)
{
    public static GoodputSlo Parse(string text)
    {
        double? ttft = null, tpot = null, e2e = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split(':', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || ms <= 0 || !double.IsFinite(ms))
                throw new ArgumentException($"--goodput: expected name:milliseconds with a positive number, got '{part}'");
            switch (pair[0].ToLowerInvariant())
            {
                case "ttft": ttft = ms; break;
                case "tpot": tpot = ms; break;
                case "e2e" or "e2el": e2e = ms; break;
                default: throw new ArgumentException($"--goodput: unknown metric '{pair[0]}' (use ttft, tpot, e2e)");
            }
        }
        if (ttft is null && tpot is null && e2e is null)
            throw new ArgumentException("--goodput: give at least one of ttft:MS, tpot:MS, e2e:MS");
        return new GoodputSlo(ttft, tpot, e2e);
    }

    /// <remarks>A single-token answer has no TPOT, so it cannot miss a TPOT objective.</remarks>
    public bool IsMetBy(RequestRecord record) =>
        record.Succeeded
        && (TtftMs is not { } ttft || record.TimeToFirstToken.TotalMilliseconds <= ttft)
        && (TpotMs is not { } tpot || record.TimePerOutputToken is not { } perToken || perToken.TotalMilliseconds <= tpot)
        && (E2eMs is not { } e2e || record.EndToEnd.TotalMilliseconds <= e2e);
}
