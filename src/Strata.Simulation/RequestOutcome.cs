using Strata.Engine.Requests;

namespace Strata.Simulation;

/// <summary>
/// What one simulated request (<see cref="Number"/>: its place in the workload) measured, in the terms of
/// <c>strata bench serve</c>: times from its arrival to its first token and to its end, and the gaps between its
/// tokens (milliseconds, as single floats to keep large runs small). A request the control plane refused at once
/// (predicted to miss its tier's time to first token) has <see cref="Refused"/> set, as the server answers 429.
/// </summary>
internal sealed record RequestOutcome(
    double ArrivalSeconds,
    int Number,
    int Node,
    int PromptTokens,
    int OutputTokens,
    int CachedTokens,
    double TtftSeconds,
    double EndToEndSeconds,
    float[] InterTokenMs,
    string? Error = null,
    ServiceTier Tier = ServiceTier.Default,
    bool Refused = false)
{
    public static RequestOutcome Failure(SimRequest request, int number, int node, string error, bool refused = false) =>
        new(request.ArrivalSeconds, number, node, request.Prompt.Length, 0, 0, 0, 0, [], error, request.Tier, refused);
}
