namespace Strata.Cli.Hardening;

/// <summary>How a client that vanishes does it: at which point of its request, and with a reset (RST) or a close (FIN).</summary>
internal sealed record Departure(DeparturePoint Point, bool Reset)
{
    public override string ToString() => $"{Point switch
    {
        DeparturePoint.MidUpload => "mid-upload",
        DeparturePoint.MidPrefill => "mid-prefill",
        _ => "mid-stream",
    }} {(Reset ? "RST" : "FIN")}";
}
