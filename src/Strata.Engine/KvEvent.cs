using Strata.KvCache.Prefix;

namespace Strata.Engine;

/// <summary>
/// A change in where one block lives, for whoever tracks this node's blocks (a router scoring nodes by the prefixes
/// they hold): <see cref="Tier"/> is <c>pool</c> for the working pool, otherwise the name of a tier below it.
/// A block leaving the pool for host memory is a removal from <c>pool</c> and a store into <c>host</c>.
/// </summary>
public readonly record struct KvEvent(KvEventKind Kind, BlockKey Key, string Tier)
{
    /// <summary>The tier name of the working pool.</summary>
    public const string Pool = "pool";
}
