namespace Strata.Cli.Hardening;

/// <summary>The checks a soak or fuzz run made and how each came out; any failed check fails the run.</summary>
internal sealed class Verdict
{
    private readonly List<(string Check, string Outcome, string Detail)> _checks = [];

    public bool Failed => _checks.Any(c => c.Outcome == "FAIL");

    public void Pass(string check, string detail) => _checks.Add((check, "ok", detail));

    public void Fail(string check, string detail) => _checks.Add((check, "FAIL", detail));

    /// <summary>A check the server gave nothing to decide (a router reports no KV metrics, say).</summary>
    public void Skip(string check, string detail) => _checks.Add((check, "skipped", detail));

    public void Require(bool holds, string check, string detail)
    {
        if (holds)
            Pass(check, detail);
        else
            Fail(check, detail);
    }

    public void Write(TextWriter output)
    {
        foreach (var (check, outcome, detail) in _checks)
            output.WriteLine($"{outcome,-8} {check,-34} {detail}");
    }
}
