namespace Strata.KvCache;

/// <summary>Element type of cached keys and values.</summary>
public enum KvDataType
{
    F16,
    F32,
}
