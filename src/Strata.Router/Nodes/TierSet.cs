namespace Strata.Router.Nodes;

/// <summary>The tiers of a node that hold one block.</summary>
[Flags]
internal enum TierSet : byte
{
    None = 0,
    Pool = 1,
    Host = 2,
    Disk = 4,
    Remote = 8,
}
