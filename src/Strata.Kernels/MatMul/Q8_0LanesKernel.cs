using Strata.Kernels.Native;

namespace Strata.Kernels.MatMul;

/// <summary>
/// y = W·x for Q8_0 weights on a CPU with AVX512_VNNI, through the vpdpbusd tile kernels of
/// <see cref="Q8_0TileKernels"/>, in ggml's eight-lane order (the sums of <see cref="Q8_0GroupedKernel"/>, bit for bit).
/// Weights are repacked at load into 16-row groups whose block b is lane-major: lane l (quants 4l..4l+3) of the 16
/// rows side by side, 64 bytes, each quant offset by 128 (vpdpbusd multiplies unsigned by signed bytes); after all
/// blocks the 16 rows' fp16 scales per block, as in the grouped layout. Activations are Q8_0 with, beside each block's
/// quants, its eight lane starts (see <see cref="QuantizedActivations.Lines"/>).
/// </summary>
internal static unsafe class Q8_0LanesKernel
{
    /// <summary>Bytes of activation lines a token block may take: they stay in a core's L2 while the row groups stream past.</summary>
    private const int TokenBlockBytes = 512 * 1024;

    private const int BlockBytes = PackedMatrix.Q8_0GroupQuantBytes;

    /// <summary>Group g of 16 rows in the lane layout (see the class summary). Missing rows are zero.</summary>
    public static void Pack(WeightMatrix source, int group, int blocks, byte* destination)
    {
        var scales = (ushort*)(destination + (long)blocks * BlockBytes);
        for (var i = 0; i < PackedMatrix.GroupRows; i++)
        {
            var row = group * PackedMatrix.GroupRows + i;
            if (row >= source.Rows)
                continue;
            var rowData = source.Row(row);
            for (var b = 0; b < blocks; b++)
            {
                var block = rowData + b * Quant.Q8_0Block.Bytes;
                scales[b * PackedMatrix.GroupRows + i] = *(ushort*)block;
                var lanes = (uint*)(destination + (long)b * BlockBytes) + i;
                var quants = (uint*)(block + 2);
                for (var l = 0; l < 8; l++)
                    lanes[l * PackedMatrix.GroupRows] = quants[l] ^ 0x80808080u;
            }
        }
    }

    public static void Run(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output)
    {
        var results = stackalloc float[Q8_0TileKernels.MaxTiles * PackedMatrix.GroupRows];
        var call = new Q8_0TileCall
        {
            GroupStride = w.GroupStride,
            Blocks = w.Cols / 32,
            LineStride = a.LineStride,
            ScaleStride = w.Cols / 32 * sizeof(float),
            Results = results,
        };
        var block = TokenBlock(w.Cols);
        for (var first = 0; first < a.Batch; first += block)
        {
            var last = Math.Min(a.Batch, first + block);
            if (last - first == 1)
            {
                Gemv(w, groupStart, groupEnd, a, output, first, &call);
                continue;
            }
            for (var g = groupStart; g < groupEnd; g++)
            {
                call.Weights = w.Data + g * w.GroupStride;
                // A token block's first tile fetches the next group while the later tiles read this one from cache.
                call.Ahead = w.Data + Math.Min(w.Groups - 1, g + 1) * w.GroupStride;
                for (var t = first; t < last; t += Q8_0TileKernels.MaxTiles)
                {
                    var tokens = Math.Min(Q8_0TileKernels.MaxTiles, last - t);
                    call.Lines = a.Lines(t);
                    call.Scales = a.Scales(t);
                    Q8_0TileKernels.Tile(tokens)(&call);
                    call.Ahead = call.Weights;
                    TileResults.Write(output, call.Results, g, 1, t, tokens, w.Rows);
                }
            }
        }
    }

    /// <summary>One token against the groups, three at a time: three streams from memory read faster than one.</summary>
    private static void Gemv(PackedMatrix w, int groupStart, int groupEnd, QuantizedActivations a, MatMulOutput output, int token, Q8_0TileCall* call)
    {
        call->Lines = a.Lines(token);
        call->Scales = a.Scales(token);
        for (var g = groupStart; g < groupEnd; g += Q8_0TileKernels.MaxTiles)
        {
            var groups = Math.Min(Q8_0TileKernels.MaxTiles, groupEnd - g);
            call->Weights = w.Data + g * w.GroupStride;
            Q8_0TileKernels.Gemv(groups)(call);
            TileResults.Write(output, call->Results, g, groups, token, 1, w.Rows);
        }
    }

    /// <summary>Tokens per block: whole tiles whose lines fit <see cref="TokenBlockBytes"/> (at least one tile).</summary>
    internal static int TokenBlock(int cols) =>
        Math.Max(Q8_0TileKernels.MaxTiles, TokenBlockBytes / (cols * 2) / Q8_0TileKernels.MaxTiles * Q8_0TileKernels.MaxTiles);
}
