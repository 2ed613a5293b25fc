using System.Runtime.Intrinsics;

namespace Strata.Kernels.MatMul;

/// <summary>Q4_0 blocks (fp16 d, nibbles qs[16]: q[j] low, q[j + 16] high) for <see cref="EightLaneKernel"/>, offset to −8..7.</summary>
internal readonly unsafe struct Q4_0Lanes : IEightLaneBlock
{
    public static int Bytes => 18;

    public static Vector256<sbyte> Load(byte* block)
    {
        var packed = Vector128.Load(block + 2);
        var low = packed & Vector128.Create((byte)0x0F);
        var high = (packed.AsUInt16() >> 4).AsByte() & Vector128.Create((byte)0x0F);
        return Vector256.Create(low, high).AsSByte() - Vector256.Create((sbyte)8);
    }

    public static int Quant(byte* block, int i) => (i < 16 ? block[2 + i] & 0x0F : block[2 + i - 16] >> 4) - 8;
}
