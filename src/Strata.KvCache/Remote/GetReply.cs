namespace Strata.KvCache.Remote;

/// <summary>One GET's outcome and, when redirected, where to.</summary>
internal readonly record struct GetReply(ReadOutcome Outcome, RedisRedirect Redirect = default);
