namespace Strata.Kernels.Ops;

/// <summary>Rotary position embedding.</summary>
public static class Rope
{
    /// <summary>
    /// Fills the rotation table for one position: cos and sin of pos·base^(-2i/dims)·scale for i &lt; dims/2.
    /// The angle advances by repeated multiplication in float, the way ggml computes it, to land on the same values.
    /// </summary>
    public static void FillTable(int position, int dims, float freqBase, float freqScale, Span<float> cos, Span<float> sin)
    {
        var thetaScale = MathF.Pow(freqBase, -2f / dims);
        var theta = (float)position;
        for (var i = 0; i < dims / 2; i++)
        {
            var angle = theta * freqScale;
            cos[i] = MathF.Cos(angle);
            sin[i] = MathF.Sin(angle);
            theta *= thetaScale;
        }
    }

    /// <summary>Rotates the first <c>2·cos.Length</c> elements of every head of <paramref name="heads"/> [headCount, headDim] in place.</summary>
    public static void Apply(Span<float> heads, int headDim, RopeStyle style, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        var pairs = cos.Length;
        for (var h = 0; h < heads.Length; h += headDim)
        {
            var head = heads.Slice(h, headDim);
            for (var i = 0; i < pairs; i++)
            {
                var (a, b) = style == RopeStyle.Normal ? (2 * i, 2 * i + 1) : (i, i + pairs);
                var x0 = head[a];
                var x1 = head[b];
                head[a] = x0 * cos[i] - x1 * sin[i];
                head[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
