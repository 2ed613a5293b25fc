namespace Strata.Engine;

/// <summary>A prefill node's KV leases: held now (and their blocks), and how the ended ones ended.</summary>
public sealed record LeaseStats(int Held, int HeldBlocks, long Granted, long Pulled, long Expired);
