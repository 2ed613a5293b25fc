using Strata.Kernels.Ops;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for F32, F16 and BF16 weight rows. Half-width rows are widened once into the worker's scratch and then
/// dotted with every token's activations (already rounded to the weight type, as ggml converts them), in the
/// order of ggml's vec_dot_f16; F32 rows go straight through <see cref="DotProduct.Float(float*, float*, int, SimdLevel)"/>.
/// </summary>
internal static unsafe class FloatRowsKernel
{
    /// <param name="scratch">float[w.Cols] owned by the calling worker.</param>
    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, float* scratch, SimdLevel level)
    {
        var cols = w.Cols;
        var end = Math.Min(w.Rows, groupEnd * PackedMatrix.GroupRows);
        for (var row = groupStart * PackedMatrix.GroupRows; row < end; row++)
        {
            var data = w.Source.Row(row);
            switch (w.Layout)
            {
                case MatrixLayout.F32Rows:
                    for (var t = 0; t < a.Batch; t++)
                        output.Write(t, row, DotProduct.Float((float*)data, a.Floats(t), cols, level));
                    break;
                case MatrixLayout.F16Rows:
                    HalfConversion.ToSingle((ushort*)data, scratch, cols, level);
                    for (var t = 0; t < a.Batch; t++)
                        output.Write(t, row, DotProduct.Widened(scratch, a.Floats(t), cols, level));
                    break;
                default:
                    BFloatToSingle((ushort*)data, scratch, cols);
                    for (var t = 0; t < a.Batch; t++)
                        output.Write(t, row, DotProduct.Widened(scratch, a.Floats(t), cols, level));
                    break;
            }
        }
    }

    private static void BFloatToSingle(ushort* source, float* destination, int count)
    {
        for (var i = 0; i < count; i++)
            ((uint*)destination)[i] = (uint)source[i] << 16;
    }
}
