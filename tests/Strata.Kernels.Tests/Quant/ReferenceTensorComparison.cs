using System.Runtime.InteropServices;
using Strata.Kernels.Quant;
using Strata.Models.Gguf;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// Compares every tensor of a file that llama-quantize produced with the same tensor of its F32 source: how far the
/// dequantized values are from the source, and whether quantizing the source with <see cref="Quantizer"/> gives the
/// file's bytes. Results are gathered per tensor type.
/// </summary>
internal sealed class ReferenceTensorComparison
{
    private readonly Dictionary<TensorType, ReferenceTypeResult> _byType = [];

    public IReadOnlyDictionary<TensorType, ReferenceTypeResult> ByType => _byType;

    /// <summary>Tensors whose dequantized values break the type's per-element bound (name and element index).</summary>
    public List<string> OutOfBound { get; } = [];

    public static ReferenceTensorComparison Run(string quantizedPath, string f32Path)
    {
        using var quantized = GgufFile.Open(quantizedPath);
        using var source = GgufFile.Open(f32Path);
        var comparison = new ReferenceTensorComparison();
        foreach (var tensor in quantized.Tensors)
            comparison.Compare(quantized, tensor, source, source.GetTensor(tensor.Name));
        return comparison;
    }

    private void Compare(GgufFile quantized, GgufTensorInfo tensor, GgufFile source, GgufTensorInfo sourceTensor)
    {
        Assert.Equal(TensorType.F32, sourceTensor.Type);
        Assert.Equal(sourceTensor.Dimensions, tensor.Dimensions);
        var rowElements = (int)tensor.RowElements;
        var rows = (int)tensor.Rows;
        var bytes = quantized.TensorRows(tensor, 0, rows);
        var x = MemoryMarshal.Cast<byte, float>(source.TensorRows(sourceTensor, 0, rows));
        var y = new float[x.Length];
        Dequantizer.DequantizeRow(tensor.Type, bytes, y);

        if (!_byType.TryGetValue(tensor.Type, out var result))
            _byType[tensor.Type] = result = new ReferenceTypeResult();
        result.Tensors++;
        result.Elements += x.Length;
        for (var i = 0; i < x.Length; i++)
        {
            var error = Math.Abs((double)y[i] - x[i]);
            result.MaxAbsError = Math.Max(result.MaxAbsError, error);
            result.SquaredError += error * error;
            result.SquaredValue += (double)x[i] * x[i];
        }
        var outlier = QuantErrorBounds.FirstOutOfBound(tensor.Type, x, y);
        if (outlier >= 0)
            OutOfBound.Add($"{tensor.Name} ({tensor.Type}) element {outlier}: {x[outlier]} dequantized to {y[outlier]}");

        // Requantize row by row, as ggml does, and count the blocks that differ from the file.
        var rowBytes = (int)tensor.RowBytes;
        var blockBytes = TensorTypeInfo.BlockBytes(tensor.Type);
        var requantized = new byte[rowBytes];
        for (var r = 0; r < rows; r++)
        {
            Quantizer.QuantizeRow(tensor.Type, x.Slice(r * rowElements, rowElements), requantized);
            var expected = bytes.Slice(r * rowBytes, rowBytes);
            for (var offset = 0; offset < rowBytes; offset += blockBytes)
            {
                result.Blocks++;
                if (!expected.Slice(offset, blockBytes).SequenceEqual(requantized.AsSpan(offset, blockBytes)))
                    result.MismatchedBlocks++;
            }
        }
    }
}
