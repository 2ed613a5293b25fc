using Strata.Kernels.Memory;
using Strata.Kernels.Quant;

namespace Strata.Kernels.MatMul;

/// <summary>
/// A weight matrix ready for the matmul kernels: either the stored rows themselves (usually memory-mapped) or, when a
/// layout reads faster, a repacked copy made once at load. Work is split across threads in groups of
/// <see cref="GroupRows"/> output rows.
/// </summary>
public sealed unsafe class PackedMatrix : IDisposable
{
    public const int GroupRows = 16;

    /// <summary>Bytes of one block of a Q4_0 row group: 16 rows × 16 bytes of quants and 16 fp16 scales.</summary>
    internal const int Q4_0GroupQuantBytes = GroupRows * 16;
    internal const int Q4_0GroupScaleBytes = GroupRows * 2;

    /// <summary>Q4_0 row groups are stored in pairs of blocks: both blocks' scales (one cache line), then both blocks' quants.</summary>
    internal const int Q4_0BlockPairBytes = 2 * (Q4_0GroupQuantBytes + Q4_0GroupScaleBytes);

    /// <summary>Bytes of one block of a Q8_0 row group: 16 rows × 32 quants; the 16 fp16 scales are stored after all blocks.</summary>
    internal const int Q8_0GroupQuantBytes = GroupRows * 32;
    internal const int Q8_0GroupScaleBytes = GroupRows * 2;

    private readonly NativeBuffer<byte>? _repacked;

    private PackedMatrix(WeightMatrix source, MatrixLayout layout, NativeBuffer<byte>? repacked, long groupStride)
    {
        Source = source;
        Layout = layout;
        _repacked = repacked;
        GroupStride = groupStride;
    }

    public WeightMatrix Source { get; }

    public MatrixLayout Layout { get; }

    public TensorType Type => Source.Type;

    public int Rows => Source.Rows;

    public int Cols => Source.Cols;

    public int Groups => (Rows + GroupRows - 1) / GroupRows;

    /// <summary>Bytes one pass over every row reads (the stored size; repacking keeps it).</summary>
    public long ByteSize => Source.ByteSize;

    /// <summary>Where the kernels read: the repacked copy, or the source rows.</summary>
    internal byte* Data => _repacked is null ? Source.Data : _repacked.Pointer;

    /// <summary>Bytes between row groups in a repacked layout.</summary>
    internal long GroupStride { get; }

    /// <summary>Binds <paramref name="source"/> in the layout its type and shape read fastest in, repacking if needed.</summary>
    public static PackedMatrix Create(WeightMatrix source) => Create(source, LayoutFor(source));

    /// <summary>Binds <paramref name="source"/> in <paramref name="layout"/> (tests compare layouts of one type).</summary>
    internal static PackedMatrix Create(WeightMatrix source, MatrixLayout layout)
    {
        var blocks = source.Cols / TensorTypeInfo.BlockElements(source.Type);
        long groupBytes = layout switch
        {
            MatrixLayout.Q4_0Interleaved => (long)(blocks + 1) / 2 * Q4_0BlockPairBytes,
            MatrixLayout.Q8_0Grouped or MatrixLayout.Q8_0Lanes => (long)blocks * (Q8_0GroupQuantBytes + Q8_0GroupScaleBytes),
            MatrixLayout.Q4_KInterleaved => Q4_KInterleavedKernel.GroupBytes(blocks),
            MatrixLayout.Q2_KInterleaved => Q2_KInterleavedKernel.GroupBytes(blocks),
            MatrixLayout.Q6_KInterleaved => Q6_KInterleavedKernel.GroupBytes(blocks),
            MatrixLayout.Q3_KGrouped => Q3_KGroupedKernel.GroupBytes(blocks),
            MatrixLayout.Q5_KInterleaved => Q5_KInterleavedKernel.GroupBytes(blocks),
            MatrixLayout.BF16Pairs => BF16PairsKernel.GroupBytes(source.Cols),
            _ => 0,
        };
        if (groupBytes == 0)
            return new PackedMatrix(source, layout, null, 0);
        var stride = AlignUp(groupBytes, NativeBuffer<byte>.Alignment);
        var groups = (source.Rows + GroupRows - 1) / GroupRows;
        var buffer = new NativeBuffer<byte>(stride * groups, hugePages: true);
        for (var g = 0; g < groups; g++)
        {
            var destination = buffer.Pointer + g * stride;
            switch (layout)
            {
                case MatrixLayout.Q4_0Interleaved:
                    InterleaveQ4_0Group(source, g, blocks, destination);
                    break;
                case MatrixLayout.Q8_0Grouped:
                    GroupQ8_0(source, g, blocks, destination);
                    break;
                case MatrixLayout.Q8_0Lanes:
                    Q8_0LanesKernel.Pack(source, g, blocks, destination);
                    break;
                case MatrixLayout.Q4_KInterleaved:
                    InterleavedKernel.Pack<Q4_KInterleavedKernel>(source, g, destination);
                    break;
                case MatrixLayout.Q2_KInterleaved:
                    InterleavedKernel.Pack<Q2_KInterleavedKernel>(source, g, destination);
                    break;
                case MatrixLayout.Q3_KGrouped:
                    Q3_KGroupedKernel.Pack(source, g, destination);
                    break;
                case MatrixLayout.Q5_KInterleaved:
                    InterleavedKernel.Pack<Q5_KInterleavedKernel>(source, g, destination);
                    break;
                case MatrixLayout.BF16Pairs:
                    BF16PairsKernel.Pack(source, g, destination);
                    break;
                default:
                    InterleavedKernel.Pack<Q6_KInterleavedKernel>(source, g, destination);
                    break;
            }
        }
        return new PackedMatrix(source, layout, buffer, stride);
    }

    /// <summary>
    /// Binds <paramref name="source"/> the way ggml multiplies a weight it does not repack (it repacks 2-D weights
    /// and the 3-D expert stacks of MUL_MAT_ID, not the slices of a 3-D tensor in a plain matmul, such as latent
    /// attention's per-head absorptions): Q4_0 stays in rows and sums in the eight-lane order.
    /// </summary>
    public static PackedMatrix CreateUnrepacked(WeightMatrix source) =>
        LayoutFor(source) == MatrixLayout.Q4_0Interleaved ? new PackedMatrix(source, MatrixLayout.Q4_0Rows, null, 0) : Create(source);

    public void Dispose() => _repacked?.Dispose();

    private static MatrixLayout LayoutFor(WeightMatrix source) => source.Type switch
    {
        // ggml repacks Q4_0 matrices whose row count is a multiple of 8; matching its choice matches its sums.
        TensorType.Q4_0 when source.Rows % 8 == 0 => MatrixLayout.Q4_0Interleaved,
        TensorType.Q4_0 => MatrixLayout.Q4_0Rows,
        // vpdpbusd on zmm wherever the CPU has it; every layout gives the same bits.
        TensorType.Q8_0 when Native.Q8_0TileKernels.IsSupported => MatrixLayout.Q8_0Lanes,
        TensorType.Q8_0 => MatrixLayout.Q8_0Grouped,
        TensorType.F32 => MatrixLayout.F32Rows,
        TensorType.F16 => MatrixLayout.F16Rows,
        // vdpbf16ps wherever the CPU has it, whatever STRATA_SIMD says, so that every SIMD level gives the same bits.
        TensorType.BF16 when Native.Bf16TileKernels.IsSupported => MatrixLayout.BF16Pairs,
        TensorType.BF16 => MatrixLayout.BF16Rows,
        // Like Q4_0: ggml repacks Q4_K matrices whose row count is a multiple of 8 (others take its vec_dot, and here
        // the scalar reference).
        TensorType.Q4_K when source.Rows % 8 == 0 => MatrixLayout.Q4_KInterleaved,
        // ggml repacks Q2_K matrices whose row count is a multiple of 8 on an AVX-512 CPU.
        TensorType.Q2_K when source.Rows % 8 == 0 => MatrixLayout.Q2_KInterleaved,
        TensorType.Q3_K => MatrixLayout.Q3_KGrouped,
        TensorType.Q5_K => MatrixLayout.Q5_KInterleaved,
        TensorType.Q6_K => MatrixLayout.Q6_KInterleaved,
        _ => MatrixLayout.GenericRows,
    };

    /// <summary>
    /// Group g of 16 rows is one front-to-back stream of block pairs (see <see cref="Q4_0Quants"/> and
    /// <see cref="Q4_0Scales"/>): 16 fp16 scales per block, and 256 bytes of quants per block in four 64-byte chunks.
    /// Chunk c holds bytes 4c..4c+3 of each row's block: low nibbles are quants 4c..4c+3, high nibbles 4c+16..4c+19,
    /// so one 32-bit lane of a chunk is four consecutive weights of one row. Missing rows are zero.
    /// </summary>
    private static void InterleaveQ4_0Group(WeightMatrix source, int group, int blocks, byte* destination)
    {
        for (var i = 0; i < GroupRows; i++)
        {
            var row = group * GroupRows + i;
            if (row >= source.Rows)
                continue;
            var rowData = source.Row(row);
            for (var b = 0; b < blocks; b++)
            {
                var block = rowData + b * Q4_0Block.Bytes;
                Q4_0Scales(destination, b)[i] = *(ushort*)block;
                for (var c = 0; c < 4; c++)
                    *(uint*)(Q4_0Quants(destination, b) + c * 64 + 4 * i) = *(uint*)(block + 2 + 4 * c);
            }
        }
    }

    /// <summary>The 16 rows' quants of block b in a Q4_0 row group: 256 bytes after the block pair's scale line.</summary>
    internal static byte* Q4_0Quants(byte* group, int block) =>
        group + (long)(block >> 1) * Q4_0BlockPairBytes + 2 * Q4_0GroupScaleBytes + (block & 1) * Q4_0GroupQuantBytes;

    /// <summary>The 16 rows' fp16 scales of block b in a Q4_0 row group.</summary>
    internal static ushort* Q4_0Scales(byte* group, int block) =>
        (ushort*)(group + (long)(block >> 1) * Q4_0BlockPairBytes + (block & 1) * Q4_0GroupScaleBytes);

    /// <summary>
    /// Group g of 16 rows: block b is the 16 rows' 32 quants side by side (row i at byte 32 i, so a 64-byte load holds
    /// a row pair), and after all blocks the scales, 16 fp16 per block. Missing rows are zero.
    /// </summary>
    private static void GroupQ8_0(WeightMatrix source, int group, int blocks, byte* destination)
    {
        var scales = (ushort*)(destination + (long)blocks * Q8_0GroupQuantBytes);
        for (var i = 0; i < GroupRows; i++)
        {
            var row = group * GroupRows + i;
            if (row >= source.Rows)
                continue;
            var rowData = source.Row(row);
            for (var b = 0; b < blocks; b++)
            {
                var block = rowData + b * Q8_0Block.Bytes;
                scales[b * GroupRows + i] = *(ushort*)block;
                Buffer.MemoryCopy(block + 2, destination + (long)b * Q8_0GroupQuantBytes + 32 * i, 32, 32);
            }
        }
    }

    private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
