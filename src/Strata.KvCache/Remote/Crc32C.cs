using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Strata.KvCache.Remote;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of remote block values: stable across processes and machines, computed with
/// the CPU's CRC instruction where there is one (several GB/s, so a 512 KiB block costs tens of microseconds).
/// </summary>
internal static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78;
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC of the concatenation of the bytes <paramref name="crc"/> covers and <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = state;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            state = (uint)wide;
            foreach (var b in data)
                state = Sse42.Crc32(state, b);
            return state;
        }
        if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                state = Crc32.Arm64.ComputeCrc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            foreach (var b in data)
                state = Crc32.ComputeCrc32C(state, b);
            return state;
        }
        return UpdatePortable(state, data);
    }

    /// <summary>The table-driven form, for processors without a CRC instruction.</summary>
    internal static uint UpdatePortable(uint state, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
            state = (state >> 8) ^ Table[(state ^ b) & 0xFF];
        return state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            table[i] = crc;
        }
        return table;
    }
}
