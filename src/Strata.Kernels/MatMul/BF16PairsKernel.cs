using Strata.Kernels.Native;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for BF16 weights on a CPU with AVX512_BF16, through the vdpbf16ps tile kernels of
/// <see cref="Bf16TileKernels"/>. Weights are repacked at load into 16-row groups of pairs: pair p of a group is the 16
/// rows' elements (2p, 2p + 1) side by side, 64 bytes, so one load feeds 16 outputs and one vdpbf16ps adds a pair to
/// each. Activations are rounded to bf16 and interleaved per tile of <see cref="TileTokens"/> tokens (see
/// <see cref="QuantizedActivations.PairTile"/>), each pair broadcast to the 16 lanes. Every output is one f32 lane
/// summed over the pairs in order (odd element first, each product added with one rounding, denormals flushed), the
/// same for every batch, tile and thread count. An odd row length ends with a pair whose odd element is zero.
/// </summary>
internal static unsafe class BF16PairsKernel
{
    public const int TileTokens = Bf16TileKernels.MaxTokens;

    private const int PairBytes = 4 * PackedMatrix.GroupRows;

    /// <summary>
    /// Bytes of activations a token block may take: they stay in a core's L2 while a worker's row groups stream past,
    /// each group read once from memory and then from L2 for every tile of the block.
    /// </summary>
    private const int TokenBlockBytes = 512 * 1024;

    public static int Pairs(int cols) => (cols + 1) / 2;

    public static long GroupBytes(int cols) => (long)Pairs(cols) * PairBytes;

    /// <summary>Group g of 16 rows, pair-major: 16 × (element 2p in the low half, 2p + 1 in the high half). Missing rows and elements are zero.</summary>
    public static void Pack(WeightMatrix source, int group, byte* destination)
    {
        var pairs = Pairs(source.Cols);
        var words = (uint*)destination;
        for (var i = 0; i < PackedMatrix.GroupRows; i++)
        {
            var row = group * PackedMatrix.GroupRows + i;
            if (row >= source.Rows)
                continue;
            var weights = (ushort*)source.Row(row);
            for (var p = 0; p < pairs; p++)
            {
                uint odd = 2 * p + 1 < source.Cols ? weights[2 * p + 1] : 0u;
                words[p * PackedMatrix.GroupRows + i] = weights[2 * p] | odd << 16;
            }
        }
    }

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output)
    {
        var results = stackalloc float[TileTokens * Bf16TileKernels.MaxGroups * PackedMatrix.GroupRows];
        var pairs = Pairs(w.Cols);
        var block = TokenBlock(w.Cols);
        for (var first = 0; first < a.Batch; first += block)
        {
            var last = Math.Min(a.Batch, first + block);
            var maxGroups = Bf16TileKernels.GroupsFor(Math.Min(TileTokens, last - first));
            for (var g = groupStart; g < groupEnd; g += maxGroups)
            {
                var groups = Math.Min(maxGroups, groupEnd - g);
                // The first tile reads these groups from memory, the others from cache: with more than one tile, each
                // also fetches one of the next groups, so the memory traffic is spread over the tiles instead of
                // bursting in the first. A single tile (decode) streams its own groups, prefetched by the kernel.
                var next = last - first > TileTokens ? Math.Min(g + groups, groupEnd - 1) : g;
                for (var t = first; t < last; t += TileTokens)
                {
                    var tokens = Math.Min(TileTokens, a.Batch - t);
                    var ahead = w.Data + Math.Min(w.Groups - 1, next + (t - first) / TileTokens % groups) * w.GroupStride;
                    Bf16TileKernels.For(groups, tokens)(w.Data + g * w.GroupStride, w.GroupStride, a.PairTile(t / TileTokens), pairs, results, ahead);
                    TileResults.Write(output, results, g, groups, t, tokens, w.Rows);
                }
            }
        }
    }

    /// <summary>Tokens per block: whole tiles whose activations fit <see cref="TokenBlockBytes"/> (at least one).</summary>
    internal static int TokenBlock(int cols) =>
        Math.Max(TileTokens, TokenBlockBytes / (sizeof(uint) * Pairs(cols)) / TileTokens * TileTokens);
}
