namespace Strata.Server.Generation;

/// <summary>A token with its log-probability, as text (invalid UTF-8 replaced) and as its exact bytes.</summary>
internal sealed record LogprobToken(string Text, byte[] Bytes, float Logprob);
