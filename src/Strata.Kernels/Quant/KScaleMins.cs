namespace Strata.Kernels.Quant;

/// <summary>
/// The 12-byte packing of eight 6-bit scales and eight 6-bit mins used by Q4_K and Q5_K (ggml's <c>get_scale_min_k4</c>).
/// <code>
/// byte 0..3   bits 0-5: scale[0..3]   bits 6-7: bits 4-5 of scale[4..7]
/// byte 4..7   bits 0-5: min[0..3]     bits 6-7: bits 4-5 of min[4..7]
/// byte 8..11  bits 0-3: bits 0-3 of scale[4..7]   bits 4-7: bits 0-3 of min[4..7]
/// </code>
/// </summary>
internal static class KScaleMins
{
    public const int Bytes = 12;
    public const int Count = 8;

    /// <summary>scales and mins are 8 values each in 0..63; packed is byte[12].</summary>
    public static void Pack(ReadOnlySpan<byte> scales, ReadOnlySpan<byte> mins, Span<byte> packed)
    {
        for (var j = 0; j < 4; j++)
        {
            packed[j] = (byte)(scales[j] | (scales[j + 4] >> 4) << 6);
            packed[j + 4] = (byte)(mins[j] | (mins[j + 4] >> 4) << 6);
            packed[j + 8] = (byte)((scales[j + 4] & 0xF) | (mins[j + 4] & 0xF) << 4);
        }
    }

    /// <summary>Scale and min of group <paramref name="j"/> (0..7).</summary>
    public static (int Scale, int Min) Unpack(ReadOnlySpan<byte> packed, int j) => j < 4
        ? (packed[j] & 63, packed[j + 4] & 63)
        : ((packed[j + 4] & 0xF) | (packed[j - 4] >> 6) << 4, (packed[j + 4] >> 4) | (packed[j] >> 6) << 4);
}
