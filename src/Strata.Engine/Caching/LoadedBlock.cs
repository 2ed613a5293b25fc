using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>A block's payload brought up from a lower tier, ready to be copied into the working pool.</summary>
internal sealed record LoadedBlock(CachedBlock Block, byte[] Payload, string Tier);
