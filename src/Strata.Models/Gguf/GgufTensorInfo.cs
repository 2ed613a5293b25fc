using Strata.Kernels.Quant;

namespace Strata.Models.Gguf;

/// <summary>
/// A tensor's entry in the GGUF directory. <see cref="Dimensions"/> are in ggml order: the first is the
/// fastest-varying (the row length), so a weight matrix of shape [rows, cols] is stored as {cols, rows}.
/// </summary>
public sealed class GgufTensorInfo(string name, long[] dimensions, TensorType type, ulong offset)
{
    public string Name { get; } = name;

    public IReadOnlyList<long> Dimensions { get; } = dimensions;

    public TensorType Type { get; } = type;

    /// <summary>Offset of the tensor's data from the start of the data section.</summary>
    public ulong Offset { get; } = offset;

    public long RowElements => Dimensions[0];

    /// <summary>Number of rows: the product of every dimension but the first.</summary>
    public long Rows => ElementCount / Math.Max(1, Dimensions[0]);

    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => checked(a * d));

    public long RowBytes => TensorTypeInfo.RowBytes(Type, RowElements);

    public long ByteSize => checked(RowBytes * Rows);

    public string Shape => "[" + string.Join(", ", Dimensions) + "]";
}
