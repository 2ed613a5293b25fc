using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Strata.Kernels.Quant;

/// <summary>
/// Scalar reference dot products of a weight row with an activation row, computed the way ggml's generic (non-SIMD)
/// <c>vec_dot</c> kernels do: integer sums inside a block, float scales applied per block in ggml's order.
/// </summary>
public static class VecDot
{
    /// <summary>The type ggml quantizes activations to before a dot product with <paramref name="weightType"/> weights (its <c>vec_dot_type</c>).</summary>
    public static TensorType ActivationType(TensorType weightType) => weightType switch
    {
        TensorType.F32 or TensorType.F16 or TensorType.BF16 => weightType,
        TensorType.Q4_0 or TensorType.Q5_0 or TensorType.Q8_0 => TensorType.Q8_0,
        TensorType.Q4_1 or TensorType.Q5_1 => TensorType.Q8_1,
        TensorType.Q2_K or TensorType.Q3_K or TensorType.Q4_K or TensorType.Q5_K or TensorType.Q6_K => TensorType.Q8_K,
        _ => throw new NotSupportedException($"{TensorTypeInfo.Describe(weightType)} has no dot product"),
    };

    /// <summary>
    /// The dot product of <paramref name="n"/> weights with <paramref name="n"/> activations already quantized to
    /// <see cref="ActivationType"/>(<paramref name="weightType"/>); both rows must be exactly that many elements long.
    /// </summary>
    public static float Dot(TensorType weightType, ReadOnlySpan<byte> weightRow, ReadOnlySpan<byte> activationRow, int n)
    {
        var activationType = ActivationType(weightType);
        var weightBytes = TensorTypeInfo.RowBytes(weightType, n);
        var activationBytes = TensorTypeInfo.RowBytes(activationType, n);
        if (weightRow.Length != weightBytes)
            throw new ArgumentException($"{n} {weightType} weights take {weightBytes} bytes, got {weightRow.Length}", nameof(weightRow));
        if (activationRow.Length != activationBytes)
            throw new ArgumentException($"{n} {activationType} activations take {activationBytes} bytes, got {activationRow.Length}", nameof(activationRow));

        var blocks = n / TensorTypeInfo.BlockElements(weightType);
        return weightType switch
        {
            TensorType.F32 => DotF32(MemoryMarshal.Cast<byte, float>(weightRow), MemoryMarshal.Cast<byte, float>(activationRow)),
            TensorType.F16 => DotHalves(weightRow, activationRow, Fp16.ToSingle),
            TensorType.BF16 => DotHalves(weightRow, activationRow, Bf16.ToSingle),
            TensorType.Q4_0 => Q4_0Block.Dot(weightRow, activationRow, blocks),
            TensorType.Q4_1 => Q4_1Block.Dot(weightRow, activationRow, blocks),
            TensorType.Q5_0 => Q5_0Block.Dot(weightRow, activationRow, blocks),
            TensorType.Q5_1 => Q5_1Block.Dot(weightRow, activationRow, blocks),
            TensorType.Q8_0 => Q8_0Block.Dot(weightRow, activationRow, blocks),
            TensorType.Q2_K => Q2_KBlock.Dot(weightRow, activationRow, blocks),
            TensorType.Q3_K => Q3_KBlock.Dot(weightRow, activationRow, blocks),
            TensorType.Q4_K => Q4_KBlock.Dot(weightRow, activationRow, blocks),
            TensorType.Q5_K => Q5_KBlock.Dot(weightRow, activationRow, blocks),
            TensorType.Q6_K => Q6_KBlock.Dot(weightRow, activationRow, blocks),
            _ => throw new NotSupportedException($"{TensorTypeInfo.Describe(weightType)} has no dot product"),
        };
    }

    // ggml's scalar float dots round each product to float and accumulate in double.
    private static float DotF32(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
            sum += x[i] * y[i];
        return (float)sum;
    }

    private static float DotHalves(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Func<ushort, float> widen)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i += 2)
            sum += widen(BinaryPrimitives.ReadUInt16LittleEndian(x[i..])) * widen(BinaryPrimitives.ReadUInt16LittleEndian(y[i..]));
        return (float)sum;
    }
}
