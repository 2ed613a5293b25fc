using Strata.Kernels.Quant;
using Strata.TestSupport;

namespace Strata.Kernels.Tests.Quant;

/// <summary>
/// One record of Golden/ggml-golden.bin, produced from ggml's own code (see Golden/README.md): a weight row and an
/// activation row, and what ggml's ref quantizers, dequantize_row and generic vec_dot make of them.
/// </summary>
internal sealed record GgmlGoldenRecord(
    TensorType Type,
    TensorType ActivationType,
    float[] Weights,
    float[] Activations,
    byte[] QuantizedWeights,
    byte[] QuantizedActivations,
    float[] DequantizedWeights,
    float Dot)
{
    private static readonly Lazy<IReadOnlyList<GgmlGoldenRecord>> Records = new(Load);

    public static IReadOnlyList<GgmlGoldenRecord> All => Records.Value;

    public static GgmlGoldenRecord For(TensorType type) => All.Single(r => r.Type == type);

    private static IReadOnlyList<GgmlGoldenRecord> Load()
    {
        var path = Path.Combine(SharedData.RepoRoot, "tests", "Strata.Kernels.Tests", "Quant", "Golden", "ggml-golden.bin");
        using var reader = new BinaryReader(File.OpenRead(path));
        var records = new List<GgmlGoldenRecord>();
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            var type = (TensorType)reader.ReadInt32();
            var activationType = (TensorType)reader.ReadInt32();
            var n = reader.ReadInt32();
            var weights = ReadFloats(reader, n);
            var activations = ReadFloats(reader, n);
            var quantizedWeights = reader.ReadBytes(reader.ReadInt32());
            var quantizedActivations = reader.ReadBytes(reader.ReadInt32());
            var dequantized = ReadFloats(reader, n);
            var dot = reader.ReadSingle();
            records.Add(new GgmlGoldenRecord(type, activationType, weights, activations, quantizedWeights, quantizedActivations, dequantized, dot));
        }
        return records;
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = reader.ReadSingle();
        return values;
    }
}
