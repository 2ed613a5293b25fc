using Strata.KvCache.Prefix;

namespace Strata.Simulation;

/// <summary>A workload's request with its prompt's full-block keys (none when nodes do not cache prefixes).</summary>
internal readonly record struct PreparedRequest(SimRequest Request, IReadOnlyList<BlockKey>? Keys);
