using System.Buffers.Binary;
using Strata.Kernels.Quant;

namespace Strata.Kernels.Tests.Quant;

/// <summary>Seeded random inputs for the quantization tests.</summary>
internal static class QuantTestData
{
    public static readonly TensorType[] QuantizedTypes =
    [
        TensorType.Q4_0, TensorType.Q4_1, TensorType.Q5_0, TensorType.Q5_1, TensorType.Q8_0, TensorType.Q8_1,
        TensorType.Q2_K, TensorType.Q3_K, TensorType.Q4_K, TensorType.Q5_K, TensorType.Q6_K, TensorType.Q8_K,
    ];

    public static readonly TensorType[] AllTypes = [TensorType.F32, TensorType.F16, TensorType.BF16, .. QuantizedTypes];

    /// <summary>Normally distributed values with the given standard deviation (Box-Muller).</summary>
    public static float[] Gaussian(Random random, int count, float sigma = 1f)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return values;
    }

    /// <summary>
    /// Random bytes for <paramref name="blocks"/> blocks of <paramref name="type"/>, with every scale field overwritten by a
    /// finite value of sane magnitude (random quants are all valid; random scale bits could be NaN or huge).
    /// </summary>
    public static byte[] RandomBlocks(Random random, TensorType type, int blocks)
    {
        var blockBytes = TensorTypeInfo.BlockBytes(type);
        var data = new byte[blocks * blockBytes];
        random.NextBytes(data);
        for (var b = 0; b < blocks; b++)
        {
            var block = data.AsSpan(b * blockBytes, blockBytes);
            foreach (var offset in HalfScaleOffsets(type))
                BinaryPrimitives.WriteUInt16LittleEndian(block[offset..], Fp16.FromSingle(SaneScale(random)));
            if (type == TensorType.Q8_K)
                BinaryPrimitives.WriteSingleLittleEndian(block, SaneScale(random));
        }
        return data;
    }

    /// <summary>A random row of <paramref name="count"/> values quantized to <paramref name="type"/> with the library's quantizer.</summary>
    public static byte[] QuantizedRow(Random random, TensorType type, int count)
    {
        var row = new byte[TensorTypeInfo.RowBytes(type, count)];
        Quantizer.QuantizeRow(type, Gaussian(random, count), row);
        return row;
    }

    private static float SaneScale(Random random) =>
        (float)((random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, -3 + 2 * random.NextDouble()));

    /// <summary>Byte offsets of the fp16 fields (scales, mins, cached sums) in one block.</summary>
    private static int[] HalfScaleOffsets(TensorType type) => type switch
    {
        TensorType.Q4_0 or TensorType.Q5_0 or TensorType.Q8_0 => [0],
        TensorType.Q4_1 or TensorType.Q5_1 or TensorType.Q8_1 => [0, 2],
        TensorType.Q4_K or TensorType.Q5_K => [0, 2],
        TensorType.Q2_K => [80, 82],
        TensorType.Q3_K => [108],
        TensorType.Q6_K => [208],
        _ => [],
    };
}
