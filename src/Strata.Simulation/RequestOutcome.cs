namespace Strata.Simulation;

/// <summary>
/// What one simulated request measured, in the terms of <c>strata bench serve</c>: times from its arrival to its
/// first token and to its end, and the gaps between its tokens (milliseconds, as single floats to keep large runs small).
/// </summary>
internal sealed record RequestOutcome(
    double ArrivalSeconds,
    int Node,
    int PromptTokens,
    int OutputTokens,
    int CachedTokens,
    double TtftSeconds,
    double EndToEndSeconds,
    float[] InterTokenMs,
    string? Error = null)
{
    public static RequestOutcome Failure(SimRequest request, int node, string error) =>
        new(request.ArrivalSeconds, node, request.Prompt.Length, 0, 0, 0, 0, [], error);
}
