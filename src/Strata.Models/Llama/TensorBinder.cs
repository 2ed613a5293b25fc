using Strata.Kernels.MatMul;
using Strata.Kernels.Quant;
using Strata.Models.Gguf;

namespace Strata.Models.Llama;

/// <summary>Finds a model's tensors in a mapped GGUF file and checks their shapes (GGUF lists dimensions innermost first).</summary>
internal sealed unsafe class TensorBinder(GgufFile file)
{
    public GgufFile File => file;

    public PackedMatrix Packed(string name, int rows, int cols) => PackedMatrix.Create(Matrix(name, rows, cols));

    public PackedMatrix? OptionalPacked(string name, int rows, int cols) =>
        file.FindTensor(name) is null ? null : Packed(name, rows, cols);

    public WeightMatrix Matrix(string name, int rows, int cols)
    {
        var t = file.GetTensor(name);
        if (t.Dimensions.Count != 2 || t.Dimensions[0] != cols || t.Dimensions[1] != rows)
            throw Mismatch(t, $"[{cols}, {rows}]");
        return new WeightMatrix(file.TensorData(t), t.Type, rows, cols);
    }

    /// <summary>A vector [cols] stored as one tensor, as a matrix of one row (a gate that weighs a whole row).</summary>
    public PackedMatrix PackedRow(string name, int cols)
    {
        var t = file.GetTensor(name);
        if (t.ElementCount != cols || t.Dimensions[0] != cols)
            throw Mismatch(t, $"[{cols}]");
        return PackedMatrix.Create(new WeightMatrix(file.TensorData(t), t.Type, 1, cols));
    }

    /// <summary>
    /// A stack of <paramref name="count"/> matrices of [rows, cols] stored as one tensor [cols, rows, count] (the
    /// experts of a mixture-of-experts layer, or per-head projections), each bound to its slice of the file; with
    /// <paramref name="repack"/> false, in the layout ggml multiplies such slices in (see <see cref="PackedMatrix.CreateUnrepacked"/>).
    /// </summary>
    public PackedMatrix[] Stack(string name, int count, int rows, int cols, bool repack = true)
    {
        var t = file.GetTensor(name);
        if (t.Dimensions.Count != 3 || t.Dimensions[0] != cols || t.Dimensions[1] != rows || t.Dimensions[2] != count)
            throw Mismatch(t, $"[{cols}, {rows}, {count}]");
        var bytes = t.RowBytes * rows;
        var data = file.TensorData(t);
        var matrices = new PackedMatrix[count];
        for (var i = 0; i < count; i++)
        {
            var slice = new WeightMatrix(data + i * bytes, t.Type, rows, cols);
            matrices[i] = repack ? PackedMatrix.Create(slice) : PackedMatrix.CreateUnrepacked(slice);
        }
        return matrices;
    }

    public float[] Vector(string name, int length) =>
        OptionalVector(name, length) ?? throw new GgufFormatException($"{file.Path}: tensor '{name}' not found");

    public float[]? OptionalVector(string name, int length)
    {
        if (file.FindTensor(name) is not { } t)
            return null;
        if (t.ElementCount != length)
            throw Mismatch(t, $"[{length}]");
        var values = new float[length];
        Dequantizer.DequantizeRow(t.Type, file.TensorRows(t, 0, 1), values);
        return values;
    }

    private GgufFormatException Mismatch(GgufTensorInfo t, string expected) =>
        new($"{file.Path}: tensor '{t.Name}' has shape {t.Shape}, expected {expected}");
}
