namespace Strata.Engine;

/// <summary>A lease on a computed prompt's blocks, as a prefill node tells the decode node where to pull them.</summary>
/// <param name="Blocks">Full blocks held (the prompt's, up to the one holding its last token, as far as they were still cached).</param>
public sealed record KvLeaseGrant(string Id, int Blocks, DateTimeOffset Expires);
