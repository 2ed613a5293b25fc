namespace Strata.Engine.Control;

/// <summary>A tier's recent arrivals: requests per second, and their mean prompt and output length.</summary>
internal readonly record struct ArrivalRate(double PerSecond, int PromptTokens, int MaxTokens);
