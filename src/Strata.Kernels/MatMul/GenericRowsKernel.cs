using Strata.Kernels.Quant;

namespace Strata.Kernels.MatMul;

/// <summary>y = W·x for the weight types without a SIMD kernel: ggml's scalar reference dot product per output.</summary>
internal static unsafe class GenericRowsKernel
{
    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output)
    {
        var rowBytes = (int)w.Source.RowBytes;
        var end = Math.Min(w.Rows, groupEnd * PackedMatrix.GroupRows);
        for (var row = groupStart * PackedMatrix.GroupRows; row < end; row++)
        {
            var weights = new ReadOnlySpan<byte>(w.Source.Row(row), rowBytes);
            for (var t = 0; t < a.Batch; t++)
                output.Write(t, row, VecDot.Dot(w.Type, weights, new ReadOnlySpan<byte>(a.Block(t), a.BlockRowBytes), w.Cols));
        }
    }
}
