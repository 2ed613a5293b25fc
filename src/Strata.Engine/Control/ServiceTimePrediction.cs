namespace Strata.Engine.Control;

/// <summary>A request's predicted time to first token and time per output token; <see cref="BeyondHorizon"/> when the prediction stopped at its horizon (the first token comes later still).</summary>
public readonly record struct ServiceTimePrediction(TimeSpan TimeToFirstToken, TimeSpan TimePerOutputToken, bool BeyondHorizon);
