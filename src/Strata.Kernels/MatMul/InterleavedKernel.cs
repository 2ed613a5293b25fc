using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// The scaffold every interleaved K-quant kernel shares: row groups one after another, and within a group tiles of
/// tokens (four at a time, then the rest singly) so each weight byte is read once per tile, not once per token.
/// </summary>
internal static class InterleavedKernel
{
    private const int Rows = PackedMatrix.GroupRows;

    /// <summary>Writes row group <paramref name="group"/> of <paramref name="source"/>, super-block by super-block of each of its rows (missing rows stay zero).</summary>
    public static unsafe void Pack<TKernel>(WeightMatrix source, int group, byte* destination)
        where TKernel : struct, IInterleavedKernel
    {
        var blocks = source.Cols / TensorTypeInfo.SuperBlock;
        var blockBytes = source.RowBytes / blocks;
        for (var i = 0; i < Rows && group * Rows + i < source.Rows; i++)
        {
            var row = source.Row(group * Rows + i);
            for (var b = 0; b < blocks; b++)
                TKernel.PackSuperBlock(row + b * blockBytes, i, b, blocks, destination);
        }
    }

    public static unsafe void Run<TKernel>(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
        where TKernel : struct, IInterleavedKernel
    {
        var blocks = w.Cols / TensorTypeInfo.SuperBlock;
        for (var g = groupStart; g < groupEnd; g++)
        {
            var group = new InterleavedGroup(w.Data + g * w.GroupStride, blocks, g * Rows, Math.Min(Rows, w.Rows - g * Rows));
            int t;
            switch (level)
            {
                case SimdLevel.Avx512:
                    for (t = 0; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                        TKernel.Tile512<FourTokens>(group, a, t, output);
                    for (; t < a.Batch; t++)
                        TKernel.Tile512<OneToken>(group, a, t, output);
                    break;
                case SimdLevel.Avx2:
                    for (var half = 0; half < 2 && half * 8 < group.Count; half++)
                    {
                        for (t = 0; t + FourTokens.Count <= a.Batch; t += FourTokens.Count)
                            TKernel.Tile256<FourTokens>(group, half, a, t, output);
                        for (; t < a.Batch; t++)
                            TKernel.Tile256<OneToken>(group, half, a, t, output);
                    }
                    break;
                default:
                    for (t = 0; t < a.Batch; t++)
                        TKernel.GroupScalar(group, a, t, output);
                    break;
            }
        }
    }
}
