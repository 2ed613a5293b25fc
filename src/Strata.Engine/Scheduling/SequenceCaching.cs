using Strata.KvCache.Prefix;

namespace Strata.Engine.Scheduling;

/// <summary>What a sequence asks of the prefix cache: the root its block keys chain from, and whether and how long to keep its prompt's blocks.</summary>
internal sealed record SequenceCaching(BlockKey Root, bool Pin = false, TimeSpan? Ttl = null);
