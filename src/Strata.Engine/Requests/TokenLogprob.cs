namespace Strata.Engine.Requests;

/// <summary>The log-probability of a token under the model's raw distribution.</summary>
public readonly record struct TokenLogprob(int TokenId, float Logprob);
