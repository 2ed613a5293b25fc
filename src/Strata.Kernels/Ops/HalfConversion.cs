using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Strata.Kernels.Simd;

namespace Strata.Kernels.Ops;

/// <summary>
/// Exact IEEE half → float widening without F16C (which .NET does not expose): the half's exponent and mantissa
/// are moved into a float's bit positions and the result multiplied by 2^112, which rebases the exponent and turns
/// half subnormals into the right float normals in one exact multiply. Infinities and NaNs (rare in weights and
/// caches) take a separate branch; NaNs come back quiet, like <see cref="Quant.Fp16.ToSingle"/>.
/// </summary>
public static unsafe class HalfConversion
{
    private const float Rebase = 5.192296858534828e33f; // 2^112 = 2^(127 - 15)
    private const uint MagnitudeMask = 0x7FFF;
    private const uint SignMask = 0x8000;
    private const uint InfinityAfterShift = 0x7C00u << 13;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort half)
    {
        var magnitude = (half & MagnitudeMask) << 13;
        var sign = (half & SignMask) << 16;
        if (magnitude >= InfinityAfterShift)
            return BitConverter.UInt32BitsToSingle(sign | SpecialBits(magnitude));
        return BitConverter.UInt32BitsToSingle(sign | BitConverter.SingleToUInt32Bits(BitConverter.UInt32BitsToSingle(magnitude) * Rebase));
    }

    /// <summary>16 halves to 16 floats (AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ToSingle(Vector256<ushort> halves)
    {
        return ToSingleWidened(Avx512F.ConvertToVector512UInt32(halves));
    }

    /// <summary>8 halves to 8 floats (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ToSingle(Vector128<ushort> halves) =>
        ToSingleWidened(Avx2.ConvertToVector256Int32(halves).AsUInt32());

    /// <summary>Widens <paramref name="count"/> halves from <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void ToSingle(ushort* source, float* destination, int count, SimdLevel level)
    {
        var i = 0;
        if (level == SimdLevel.Avx512)
        {
            for (; i + 16 <= count; i += 16)
                ToSingle(Vector256.Load(source + i)).Store(destination + i);
        }
        else if (level == SimdLevel.Avx2)
        {
            for (; i + 8 <= count; i += 8)
                ToSingle(Vector128.Load(source + i)).Store(destination + i);
        }
        for (; i < count; i++)
            destination[i] = ToSingle(source[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ToSingleWidened(Vector512<uint> halves)
    {
        var magnitude = (halves & Vector512.Create(MagnitudeMask)) << 13;
        var sign = (halves & Vector512.Create(SignMask)) << 16;
        var rebased = (magnitude.AsSingle() * Vector512.Create(Rebase)).AsUInt32();
        if (Vector512.GreaterThanOrEqualAny(magnitude, Vector512.Create(InfinityAfterShift)))
            rebased = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(magnitude, Vector512.Create(InfinityAfterShift)), SpecialBits(magnitude), rebased);
        return (rebased | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ToSingleWidened(Vector256<uint> halves)
    {
        var magnitude = (halves & Vector256.Create(MagnitudeMask)) << 13;
        var sign = (halves & Vector256.Create(SignMask)) << 16;
        var rebased = (magnitude.AsSingle() * Vector256.Create(Rebase)).AsUInt32();
        if (Vector256.GreaterThanOrEqualAny(magnitude, Vector256.Create(InfinityAfterShift)))
            rebased = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(magnitude, Vector256.Create(InfinityAfterShift)), SpecialBits(magnitude), rebased);
        return (rebased | sign).AsSingle();
    }

    // Infinity keeps an all-ones exponent and zero mantissa; a NaN keeps its payload and gains the quiet bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SpecialBits(uint magnitude) =>
        magnitude | 0x7F80_0000u | ((magnitude & 0x007F_E000u) != 0 ? 0x0040_0000u : 0u);

    private static Vector512<uint> SpecialBits(Vector512<uint> magnitude)
    {
        var isNaN = ~Vector512.Equals(magnitude & Vector512.Create(0x007F_E000u), Vector512<uint>.Zero);
        return magnitude | Vector512.Create(0x7F80_0000u) | (isNaN & Vector512.Create(0x0040_0000u));
    }

    private static Vector256<uint> SpecialBits(Vector256<uint> magnitude)
    {
        var isNaN = ~Vector256.Equals(magnitude & Vector256.Create(0x007F_E000u), Vector256<uint>.Zero);
        return magnitude | Vector256.Create(0x7F80_0000u) | (isNaN & Vector256.Create(0x0040_0000u));
    }
}
