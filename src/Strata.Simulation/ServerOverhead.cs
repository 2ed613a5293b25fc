namespace Strata.Simulation;

/// <summary>
/// What the server adds to the engine's steps, measured by <c>strata profile</c> through a real server: time per
/// request before its prompt reaches the engine (HTTP, tokenizing, admission), and time per streamed token (detokenizing
/// and writing it, on the cores the steps run on), which lengthens every step by its decoding sequences.
/// </summary>
internal sealed record ServerOverhead(double RequestSeconds, double TokenSeconds)
{
    public static ServerOverhead None { get; } = new(0, 0);
}
