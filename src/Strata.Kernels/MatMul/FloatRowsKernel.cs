using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>y = W·x for F32 weight rows, each output through <see cref="DotProduct.Float(float*, float*, int, SimdLevel)"/>.</summary>
internal static unsafe class FloatRowsKernel
{
    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, SimdLevel level)
    {
        var end = Math.Min(w.Rows, groupEnd * PackedMatrix.GroupRows);
        for (var row = groupStart * PackedMatrix.GroupRows; row < end; row++)
        {
            for (var t = 0; t < a.Batch; t++)
                output.Write(t, row, DotProduct.Float((float*)w.Source.Row(row), a.Floats(t), w.Cols, level));
        }
    }
}
