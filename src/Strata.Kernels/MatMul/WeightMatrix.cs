using Strata.Kernels.Quant;

namespace Strata.Kernels.MatMul;

/// <summary>
/// A read-only weight matrix of <see cref="Rows"/> output features by <see cref="Cols"/> input features, stored
/// row-major in a GGML tensor type (each row a whole number of blocks), usually inside a memory-mapped file.
/// </summary>
public readonly unsafe struct WeightMatrix
{
    public WeightMatrix(byte* data, TensorType type, int rows, int cols)
    {
        Data = data;
        Type = type;
        Rows = rows;
        Cols = cols;
        RowBytes = TensorTypeInfo.RowBytes(type, cols);
    }

    public byte* Data { get; }

    public TensorType Type { get; }

    public int Rows { get; }

    public int Cols { get; }

    public long RowBytes { get; }

    public long ByteSize => RowBytes * Rows;

    public byte* Row(int row) => Data + row * RowBytes;
}
