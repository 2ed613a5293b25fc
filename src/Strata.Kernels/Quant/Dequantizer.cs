using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>Placeholder until the quant branch lands: F32 and F16 only.</summary>
public static class Dequantizer
{
    public static void DequantizeRow(TensorType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (type)
        {
            case TensorType.F32: MemoryMarshal.Cast<byte, float>(src).CopyTo(dst); break;
            case TensorType.F16: System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src), dst); break;
            default: throw new NotSupportedException(type.ToString());
        }
    }
}
