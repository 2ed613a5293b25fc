using Strata.KvCache.Prefix;

namespace Strata.KvCache.Remote;

/// <summary>A full block waiting to be published, with its store key name.</summary>
internal sealed record PendingPublish(CachedBlock Block, byte[] Payload, byte[] Name);
