using Strata.Engine;

namespace Strata.Server.Cluster;

/// <summary>One KV event as a node streams it: a block key (32 hex digits) stored into or removed from a tier.</summary>
internal readonly record struct NodeKvEvent(KvEventKind Kind, string Key, string Tier);
