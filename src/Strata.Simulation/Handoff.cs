using Strata.KvCache.Prefix;

namespace Strata.Simulation;

/// <summary>A prompt a prefill node computed, on its way to its decode node with the full blocks that node will load.</summary>
internal sealed record Handoff(SimRequest Request, int Number, SimNode Decode, long Arrived, CachedBlock[] Blocks);
