using Strata.Engine.Requests;

namespace Strata.Engine.Control;

/// <summary>
/// What one sequence still asks of the engine, as a prediction sees it: tokens to prefill (its prompt, or what a
/// preemption made it recompute; a decoding sequence has one, the token it sampled last), tokens still to generate (at
/// most), its length now, and whose it is (tenants take turns within a tier).
/// </summary>
internal readonly record struct SequenceLoad(ServiceTier Tier, int PrefillTokens, int RemainingTokens, int Length, bool Decoding, string Tenant = "");
