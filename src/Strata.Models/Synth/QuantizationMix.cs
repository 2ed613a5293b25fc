using Strata.Kernels.Quant;

namespace Strata.Models.Synth;

/// <summary>
/// One of llama-quantize's K-quant mixes: which type each matrix of a Llama-family model gets (without an importance
/// matrix), so synthetic models match the files people download. Most matrices take <see cref="BaseType"/>; the output
/// projection and, by layer, the value and down projections get more bits, as llama.cpp's
/// <c>llama_tensor_get_type</c> decides for a dense model.
/// </summary>
public sealed class QuantizationMix
{
    private readonly Func<MatrixRole, int, int, int, TensorType> _choose;

    private QuantizationMix(string name, TensorType baseType, int fileType, Func<MatrixRole, int, int, int, TensorType> choose)
    {
        Name = name;
        BaseType = baseType;
        FileType = fileType;
        _choose = choose;
    }

    /// <summary>The name synth takes, as llama-quantize spells it (lower case).</summary>
    public string Name { get; }

    public TensorType BaseType { get; }

    /// <summary>llama.cpp's LLAMA_FTYPE number, stored in general.file_type.</summary>
    public int FileType { get; }

    public static QuantizationMix Q4_K_M { get; } = new("q4_k_m", TensorType.Q4_K, 15, (role, layer, layers, _) => role switch
    {
        MatrixRole.Value or MatrixRole.Down when UsesMoreBits(layer, layers) => TensorType.Q6_K,
        _ => TensorType.Q4_K,
    });

    public static QuantizationMix Q5_K_M { get; } = new("q5_k_m", TensorType.Q5_K, 17, (role, layer, layers, _) => role switch
    {
        MatrixRole.Value or MatrixRole.Down when UsesMoreBits(layer, layers) => TensorType.Q6_K,
        _ => TensorType.Q5_K,
    });

    public static QuantizationMix Q3_K_M { get; } = new("q3_k_m", TensorType.Q3_K, 12, (role, layer, layers, _) => role switch
    {
        MatrixRole.Value => layer < 2 ? TensorType.Q5_K : TensorType.Q4_K,
        MatrixRole.Down => layer < layers / 16 ? TensorType.Q5_K : TensorType.Q4_K,
        MatrixRole.AttentionOutput => TensorType.Q4_K,
        _ => TensorType.Q3_K,
    });

    /// <summary>llama-quantize's Q2_K (a mix; synth's plain q2_k writes every matrix in Q2_K).</summary>
    public static QuantizationMix Q2_K { get; } = new("q2_k_mix", TensorType.Q2_K, 10, (role, _, _, groupSize) => role switch
    {
        MatrixRole.Value => groupSize >= 4 ? TensorType.Q4_K : TensorType.Q3_K,
        MatrixRole.Down or MatrixRole.AttentionOutput => TensorType.Q3_K,
        _ => TensorType.Q2_K,
    });

    public static IReadOnlyList<QuantizationMix> All { get; } = [Q4_K_M, Q5_K_M, Q3_K_M, Q2_K];

    public static QuantizationMix? Named(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The type of one matrix: <paramref name="layer"/> of <paramref name="layers"/> (ignored for the embedding and
    /// output), <paramref name="groupSize"/> query heads per KV head, <paramref name="cols"/> its row length.
    /// </summary>
    public TensorType TypeFor(MatrixRole role, int layer, int layers, int groupSize, int cols)
    {
        var type = role switch
        {
            MatrixRole.Output => cols % TensorTypeInfo.SuperBlock == 0 ? TensorType.Q6_K : TensorType.Q8_0,
            MatrixRole.TokenEmbedding => BaseType,
            _ => _choose(role, layer, layers, groupSize),
        };
        if (cols % TensorTypeInfo.BlockElements(type) == 0)
            return type;
        // llama-quantize's fallback for rows that are not whole super-blocks.
        return type switch
        {
            TensorType.Q2_K or TensorType.Q3_K => TensorType.Q4_0,
            TensorType.Q4_K => TensorType.Q5_0,
            TensorType.Q5_K => TensorType.Q5_1,
            _ => TensorType.Q8_0,
        };
    }

    /// <summary>llama.cpp's use_more_bits: the first and last eighth of the layers and every third one between.</summary>
    private static bool UsesMoreBits(int layer, int layers) =>
        layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}
