namespace Strata.Kernels.Quant;

/// <summary>Block geometry of the tensor types Strata can read: elements per block and bytes per block.</summary>
public static class TensorTypeInfo
{
    /// <summary>Elements in one K-quant super-block.</summary>
    public const int SuperBlock = 256;

    /// <summary>Elements in one legacy quant block (Q4_0 … Q8_1).</summary>
    public const int Block = 32;

    public static bool IsSupported(TensorType type) => TryGetLayout(type, out _, out _);

    /// <summary>Elements per block (1 for plain float types).</summary>
    public static int BlockElements(TensorType type) => Layout(type).Elements;

    /// <summary>Bytes per block.</summary>
    public static int BlockBytes(TensorType type) => Layout(type).Bytes;

    /// <summary>Bytes of a row of <paramref name="elements"/> elements; the count must be a whole number of blocks.</summary>
    public static long RowBytes(TensorType type, long elements)
    {
        var (blockElements, blockBytes) = Layout(type);
        if (elements % blockElements != 0)
            throw new ArgumentException($"{type} rows must be a multiple of {blockElements} elements, got {elements}");
        return elements / blockElements * blockBytes;
    }

    private static (int Elements, int Bytes) Layout(TensorType type) =>
        TryGetLayout(type, out var elements, out var bytes)
            ? (elements, bytes)
            : throw new NotSupportedException($"tensor type {Describe(type)} is not supported");

    private static bool TryGetLayout(TensorType type, out int elements, out int bytes)
    {
        (elements, bytes) = type switch
        {
            TensorType.F32 => (1, 4),
            TensorType.F16 => (1, 2),
            TensorType.BF16 => (1, 2),
            TensorType.Q4_0 => (Block, 18),
            TensorType.Q4_1 => (Block, 20),
            TensorType.Q5_0 => (Block, 22),
            TensorType.Q5_1 => (Block, 24),
            TensorType.Q8_0 => (Block, 34),
            TensorType.Q8_1 => (Block, 36),
            TensorType.Q2_K => (SuperBlock, 84),
            TensorType.Q3_K => (SuperBlock, 110),
            TensorType.Q4_K => (SuperBlock, 144),
            TensorType.Q5_K => (SuperBlock, 176),
            TensorType.Q6_K => (SuperBlock, 210),
            TensorType.Q8_K => (SuperBlock, 292),
            _ => (0, 0),
        };
        return elements != 0;
    }

    /// <summary>The type's name, or its numeric id when the id is unknown.</summary>
    public static string Describe(TensorType type) =>
        Enum.IsDefined(type) ? type.ToString() : $"#{(int)type}";
}
