namespace Strata.Simulation;

/// <summary>
/// An xP+yD cluster's prefill side, as the router runs it: a request whose decode node would compute at least
/// <see cref="Threshold"/> tokens of its prompt goes first to a prefill node, which computes the prompt; its full
/// blocks then cross to the decode node at <see cref="TransferBytesPerSecond"/> (one transfer at a time on each
/// prefill node's link), <see cref="BlockBytes"/> each, and the decode node loads them as a prefix hit.
/// </summary>
internal sealed record Disaggregation(int PrefillNodes, double TransferBytesPerSecond, long BlockBytes, int Threshold = 256)
{
    public double TransferSeconds(int blocks) => blocks * (double)BlockBytes / TransferBytesPerSecond;
}
