using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Strata.Kernels.MatMul;

/// <summary>
/// Where a matmul writes y[t, r]: Data[t * Stride + r], either stored or added to what is there (a residual
/// connection, which ggml computes as a separate add of the same two floats).
/// </summary>
internal readonly unsafe struct MatMulOutput(float* data, int stride, bool accumulate)
{
    public float* Data { get; } = data;

    public int Stride { get; } = stride;

    public bool Accumulate { get; } = accumulate;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int token, int row, float value)
    {
        var p = Data + (long)token * Stride + row;
        *p = Accumulate ? *p + value : value;
    }

    /// <summary>Writes rows [row, row + count) of one token from values[16] (count ≤ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int token, int row, int count, Vector512<float> values)
    {
        var p = Data + (long)token * Stride + row;
        if (count == Vector512<float>.Count)
        {
            (Accumulate ? Vector512.Load(p) + values : values).Store(p);
            return;
        }
        for (var i = 0; i < count; i++)
            p[i] = Accumulate ? p[i] + values.GetElement(i) : values.GetElement(i);
    }

    /// <summary>Writes rows [row, row + count) of one token from values[8] (count ≤ 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int token, int row, int count, Vector256<float> values)
    {
        var p = Data + (long)token * Stride + row;
        if (count == Vector256<float>.Count)
        {
            (Accumulate ? Vector256.Load(p) + values : values).Store(p);
            return;
        }
        for (var i = 0; i < count; i++)
            p[i] = Accumulate ? p[i] + values.GetElement(i) : values.GetElement(i);
    }
}
