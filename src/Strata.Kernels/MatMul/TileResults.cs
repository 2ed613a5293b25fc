using System.Runtime.Intrinsics;

namespace Strata.Kernels.MatMul;

/// <summary>What a native tile kernel returns — results[token][group][16 rows] — written to a matmul's output.</summary>
internal static unsafe class TileResults
{
    /// <summary>Writes <paramref name="tokens"/> tokens from <paramref name="first"/> × <paramref name="groups"/> row groups from <paramref name="group"/> (rows past <paramref name="rows"/> dropped).</summary>
    public static void Write(MatMulOutput output, float* results, int group, int groups, int first, int tokens, int rows)
    {
        for (var t = 0; t < tokens; t++)
        {
            for (var g = 0; g < groups; g++)
            {
                var row = (group + g) * PackedMatrix.GroupRows;
                var values = Vector512.Load(results + (t * groups + g) * PackedMatrix.GroupRows);
                output.Write(first + t, row, Math.Min(PackedMatrix.GroupRows, rows - row), values);
            }
        }
    }
}
