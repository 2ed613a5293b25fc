namespace Strata.Simulation;

/// <summary>
/// What the server adds to the engine's steps, measured by <c>strata profile</c> through a real server: time per
/// request before its prompt reaches the engine (HTTP, tokenizing, admission); time per step (the host's turn of its
/// loop between steps, and the server's threads taking the cores the step runs on); and time per streamed token
/// (detokenizing and writing it), which lengthens every step by its decoding sequences. Profiles written before the
/// per-step time was measured read it as none.
/// </summary>
internal sealed record ServerOverhead(double RequestSeconds, double TokenSeconds, double StepSeconds = 0)
{
    public static ServerOverhead None { get; } = new(0, 0);
}
