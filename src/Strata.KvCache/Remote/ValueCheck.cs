namespace Strata.KvCache.Remote;

/// <summary>The verdict on a value read from the store.</summary>
internal enum ValueCheck
{
    /// <summary>Our format, our model, the block asked for, intact.</summary>
    Valid,

    /// <summary>Damaged or not the block asked for: bad length, magic, checksum, key, parent or tokens.</summary>
    Corrupt,

    /// <summary>Intact but not ours to use: another format version or another model's fingerprint.</summary>
    Foreign,
}
