using Strata.Kernels.Memory;
using Strata.Kernels.Quant;
using Strata.Kernels.Simd;

namespace Strata.Kernels.MatMul;

/// <summary>
/// A batch of activation rows [batch, cols] in one <see cref="ActivationFormat"/>, in buffers that grow but are
/// never shrunk or reallocated per call. Rows are converted independently, so workers can split them.
/// </summary>
internal sealed unsafe class QuantizedActivations : IDisposable
{
    private NativeBuffer<sbyte> _quants = new(0);
    private NativeBuffer<float> _floats = new(0);
    private NativeBuffer<int> _sums = new(0);
    private NativeBuffer<byte> _blocks = new(0);
    private NativeBuffer<short> _groupSums = new(0);
    private NativeBuffer<uint> _pairs = new(0);
    private NativeBuffer<byte> _lines = new(0);
    private const int GroupSumElements = 16;
    private const int PairSumsPerSuperBlock = 4;
    private const int LineBytes = 64;

    private float* _input;

    public QuantizedActivations(ActivationFormat format) => Format = format;

    public ActivationFormat Format { get; }

    public int Cols { get; private set; }

    public int Batch { get; private set; }

    /// <summary>Q8_0 and Q8_K: bytes between the quants of consecutive rows (cols rounded up to a cache line).</summary>
    public int QuantStride { get; private set; }

    /// <summary>Q8_0Lanes: bytes between the lines of consecutive rows (64 per block).</summary>
    public int LineStride { get; private set; }

    /// <summary>Blocks: bytes per row in ggml's block layout.</summary>
    public int BlockRowBytes { get; private set; }

    public static ActivationFormat FormatFor(MatrixLayout layout, TensorType type) => layout switch
    {
        MatrixLayout.Q4_0Interleaved or MatrixLayout.Q4_0Rows or MatrixLayout.Q8_0Grouped => ActivationFormat.Q8_0,
        MatrixLayout.F32Rows => ActivationFormat.Float,
        MatrixLayout.F16Rows => ActivationFormat.Half,
        MatrixLayout.BF16Rows => ActivationFormat.BFloat,
        MatrixLayout.BF16Pairs => ActivationFormat.BFloatPairs,
        MatrixLayout.Q8_0Lanes => ActivationFormat.Q8_0Lanes,
        MatrixLayout.Q2_KInterleaved or MatrixLayout.Q3_KGrouped or MatrixLayout.Q4_KInterleaved or MatrixLayout.Q5_KInterleaved or MatrixLayout.Q6_KInterleaved => ActivationFormat.Q8_K,
        _ => VecDot.ActivationType(type) switch
        {
            TensorType.Q8_0 => ActivationFormat.Q8_0Blocks,
            TensorType.Q8_1 => ActivationFormat.Q8_1Blocks,
            TensorType.Q8_K => ActivationFormat.Q8_KBlocks,
            TensorType.F32 => ActivationFormat.Float,
            TensorType.F16 => ActivationFormat.Half,
            TensorType.BF16 => ActivationFormat.BFloat,
            var other => throw new NotSupportedException($"no activation format for {other}"),
        },
    };

    /// <summary>Binds the input [batch, cols] and makes room; call <see cref="ConvertRows"/> before reading.</summary>
    public void Prepare(float* input, int batch, int cols)
    {
        _input = input;
        Batch = batch;
        Cols = cols;
        switch (Format)
        {
            case ActivationFormat.Q8_0 or ActivationFormat.Q8_0Lanes:
                QuantStride = (cols + 63) & ~63;
                Grow(ref _quants, (long)batch * QuantStride);
                Grow(ref _floats, (long)batch * (cols / TensorTypeInfo.Block));
                Grow(ref _sums, (long)batch * (cols / TensorTypeInfo.Block));
                LineStride = cols / TensorTypeInfo.Block * LineBytes;
                if (Format == ActivationFormat.Q8_0Lanes)
                    Grow(ref _lines, (long)batch * LineStride);
                break;
            case ActivationFormat.Q8_K:
                QuantStride = (cols + 63) & ~63;
                Grow(ref _quants, (long)batch * QuantStride);
                Grow(ref _floats, (long)batch * (cols / TensorTypeInfo.SuperBlock));
                Grow(ref _groupSums, (long)batch * (cols / GroupSumElements));
                Grow(ref _sums, (long)batch * (cols / TensorTypeInfo.SuperBlock) * PairSumsPerSuperBlock);
                break;
            case ActivationFormat.Half or ActivationFormat.BFloat:
                Grow(ref _floats, (long)batch * cols);
                break;
            case ActivationFormat.BFloatPairs:
                Grow(ref _pairs, (long)Tiles(batch) * BF16PairsKernel.TileTokens * BF16PairsKernel.Pairs(cols));
                break;
            case ActivationFormat.Q8_0Blocks or ActivationFormat.Q8_1Blocks or ActivationFormat.Q8_KBlocks:
                BlockRowBytes = (int)TensorTypeInfo.RowBytes(BlockType, cols);
                Grow(ref _blocks, (long)batch * BlockRowBytes);
                break;
        }
    }

    /// <summary>Converts rows [first, end).</summary>
    public void ConvertRows(int first, int end, SimdLevel level)
    {
        var blocks = Cols / TensorTypeInfo.Block;
        for (var t = first; t < end; t++)
        {
            var x = _input + (long)t * Cols;
            switch (Format)
            {
                case ActivationFormat.Q8_0:
                    ActivationQuantizer.QuantizeQ8_0(x, Cols, Quants(t), _floats.Pointer + (long)t * blocks, _sums.Pointer + (long)t * blocks, level);
                    break;
                case ActivationFormat.Q8_0Lanes:
                    ActivationQuantizer.QuantizeQ8_0(x, Cols, Quants(t), _floats.Pointer + (long)t * blocks, _sums.Pointer + (long)t * blocks, level);
                    WriteLines(Quants(t), Lines(t), blocks);
                    break;
                case ActivationFormat.Q8_K:
                    ActivationQuantizer.QuantizeQ8_K(x, Cols, Quants(t), SuperBlockScales(t), GroupSums(t), PairSums(t), level);
                    break;
                case ActivationFormat.Half:
                    RoundToHalf(x, _floats.Pointer + (long)t * Cols, Cols);
                    break;
                case ActivationFormat.BFloat:
                    RoundToBFloatSplit(x, _floats.Pointer + (long)t * Cols, Cols);
                    break;
                case ActivationFormat.BFloatPairs:
                    RoundToBFloatPairs(x, t);
                    break;
                case ActivationFormat.Q8_0Blocks or ActivationFormat.Q8_1Blocks or ActivationFormat.Q8_KBlocks:
                    ActivationQuantizer.QuantizeRow(BlockType, new ReadOnlySpan<float>(x, Cols), new Span<byte>(Block(t), BlockRowBytes));
                    break;
            }
        }
    }

    /// <summary>
    /// Each block's 32 quants, then its eight lane starts: −128 × the sum of quants 4l..4l+3, the correction that makes
    /// vpdpbusd's sums with weights offset by 128 the signed sums.
    /// </summary>
    private static void WriteLines(sbyte* quants, byte* lines, int blocks)
    {
        for (var b = 0; b < blocks; b++)
        {
            var q = quants + b * TensorTypeInfo.Block;
            var line = lines + (long)b * LineBytes;
            Buffer.MemoryCopy(q, line, TensorTypeInfo.Block, TensorTypeInfo.Block);
            var starts = (int*)(line + TensorTypeInfo.Block);
            for (var l = 0; l < 8; l++)
                starts[l] = -128 * (q[4 * l] + q[4 * l + 1] + q[4 * l + 2] + q[4 * l + 3]);
        }
    }

    /// <summary>x[cols] rounded to half precision (ties to even, overflow to ∞, as F16C converts) and widened back.</summary>
    private static void RoundToHalf(float* x, float* destination, int cols)
    {
        const int chunk = 1024;
        Span<Half> halves = stackalloc Half[chunk];
        for (var i = 0; i < cols; i += chunk)
        {
            var n = Math.Min(chunk, cols - i);
            System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(new ReadOnlySpan<float>(x + i, n), halves[..n]);
            System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(halves[..n], new Span<float>(destination + i, n));
        }
    }

    /// <summary>
    /// Rounds x[cols] to bf16 and stores it as floats with each 32 elements of the whole 64-element steps split into
    /// their odd lanes (x[2j + 1], 16 floats) and then their even lanes (x[2j]); the tail stays in order.
    /// </summary>
    private static void RoundToBFloatSplit(float* x, float* destination, int cols)
    {
        var split = cols / 64 * 64;
        for (var i = 0; i < split; i += 32)
        {
            for (var j = 0; j < 16; j++)
            {
                destination[i + j] = Bf16.ToSingle(Bf16.FromSingle(x[i + 2 * j + 1]));
                destination[i + 16 + j] = Bf16.ToSingle(Bf16.FromSingle(x[i + 2 * j]));
            }
        }
        for (var i = split; i < cols; i++)
            destination[i] = Bf16.ToSingle(Bf16.FromSingle(x[i]));
    }

    /// <summary>Rounds token t's x[cols] to bf16 pairs into slot t % 12 of its tile (see <see cref="PairTile"/>).</summary>
    private void RoundToBFloatPairs(float* x, int t)
    {
        var tile = t / BF16PairsKernel.TileTokens;
        var first = tile * BF16PairsKernel.TileTokens;
        var tokens = Math.Min(BF16PairsKernel.TileTokens, Batch - first);
        var destination = PairTile(tile) + (t - first);
        var pairs = BF16PairsKernel.Pairs(Cols);
        for (var p = 0; p < pairs; p++)
        {
            uint odd = 2 * p + 1 < Cols ? Bf16.FromSingle(x[2 * p + 1]) : 0u;
            destination[(long)p * tokens] = Bf16.FromSingle(x[2 * p]) | odd << 16;
        }
    }

    /// <summary>
    /// BFloatPairs: tile k (tokens 12k to 12k + 11, fewer in the last tile) as [pair][token], each uint element 2p of
    /// the token rounded to bf16 in the low half and element 2p + 1 (zero past an odd row's end) in the high half.
    /// </summary>
    public uint* PairTile(int tile) => _pairs.Pointer + (long)tile * BF16PairsKernel.TileTokens * BF16PairsKernel.Pairs(Cols);

    private static int Tiles(int batch) => (batch + BF16PairsKernel.TileTokens - 1) / BF16PairsKernel.TileTokens;

    /// <summary>Row t as floats: the input itself, or its rounded copy (BFloat: split, see <see cref="RoundToBFloatSplit"/>).</summary>
    public float* Floats(int t) => Format == ActivationFormat.Float ? _input + (long)t * Cols : _floats.Pointer + (long)t * Cols;

    /// <summary>Q8_0: row t's quants, sbyte[cols].</summary>
    public sbyte* Quants(int t) => _quants.Pointer + (long)t * QuantStride;

    /// <summary>Q8_0Lanes: row t's lines, per block its 32 quants then its eight lane starts (int32), 64 bytes.</summary>
    public byte* Lines(int t) => _lines.Pointer + (long)t * LineStride;

    /// <summary>Q8_0: row t's block scales, float[cols / 32].</summary>
    public float* Scales(int t) => _floats.Pointer + (long)t * (Cols / TensorTypeInfo.Block);

    /// <summary>Q8_0: row t's block quant sums, int[cols / 32].</summary>
    public int* Sums(int t) => _sums.Pointer + (long)t * (Cols / TensorTypeInfo.Block);

    /// <summary>Q8_K: row t's scales, float[cols / 256].</summary>
    public float* SuperBlockScales(int t) => _floats.Pointer + (long)t * (Cols / TensorTypeInfo.SuperBlock);

    /// <summary>Q8_K: row t's sums of each 16 quants, short[cols / 16] (ggml's bsums).</summary>
    public short* GroupSums(int t) => _groupSums.Pointer + (long)t * (Cols / GroupSumElements);

    /// <summary>
    /// Q8_K: row t's sums s_g of the eight groups of 32 quants of each super-block, int[cols / 256 * 4]: four int16 pairs
    /// (s0, s2), (s1, s3), (s4, s6), (s5, s7) per super-block, the order in which the K-quant kernels unpack their mins.
    /// </summary>
    public int* PairSums(int t) => _sums.Pointer + (long)t * (Cols / TensorTypeInfo.SuperBlock) * PairSumsPerSuperBlock;

    /// <summary>Blocks formats: row t in ggml's layout, byte[BlockRowBytes].</summary>
    public byte* Block(int t) => _blocks.Pointer + (long)t * BlockRowBytes;

    public void Dispose()
    {
        _quants.Dispose();
        _floats.Dispose();
        _sums.Dispose();
        _blocks.Dispose();
        _groupSums.Dispose();
        _pairs.Dispose();
        _lines.Dispose();
    }

    private TensorType BlockType => Format switch
    {
        ActivationFormat.Q8_0Blocks => TensorType.Q8_0,
        ActivationFormat.Q8_1Blocks => TensorType.Q8_1,
        _ => TensorType.Q8_K,
    };

    private static void Grow<T>(ref NativeBuffer<T> buffer, long length) where T : unmanaged
    {
        if (buffer.Length >= length)
            return;
        buffer.Dispose();
        buffer = new NativeBuffer<T>(Math.Max(length, buffer.Length * 2));
    }
}
