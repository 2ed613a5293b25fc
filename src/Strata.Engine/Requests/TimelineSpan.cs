namespace Strata.Engine.Requests;

/// <summary>A stretch of a request's time: timestamps of the engine's clock and a count (tokens or steps).</summary>
public readonly record struct TimelineSpan(long Start, long End, int Count);
