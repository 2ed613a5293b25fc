using Strata.Kernels.MatMul;
using Strata.Kernels.Quant;
using Strata.Models.Gguf;

namespace Strata.Models.Llama;

/// <summary>Every weight of a Llama-family model, bound to the tensors of a mapped GGUF file and checked for shape.</summary>
internal sealed unsafe class ModelWeights : IDisposable
{
    private ModelWeights(WeightMatrix tokenEmbedding, float[] outputNorm, PackedMatrix output, LayerWeights[] layers)
    {
        TokenEmbedding = tokenEmbedding;
        OutputNorm = outputNorm;
        Output = output;
        Layers = layers;
    }

    /// <summary>[vocab, embedding]: row t is token t's embedding.</summary>
    public WeightMatrix TokenEmbedding { get; }

    public float[] OutputNorm { get; }

    /// <summary>[vocab, embedding]; the token embedding itself when the model ties them.</summary>
    public PackedMatrix Output { get; }

    public LayerWeights[] Layers { get; }

    public static ModelWeights Bind(GgufFile file, ModelConfig c)
    {
        var binder = new Binder(file);
        var embedding = binder.Matrix("token_embd.weight", c.VocabSize, c.EmbeddingLength);
        var output = PackedMatrix.Create(file.FindTensor("output.weight") is null ? embedding : binder.Matrix("output.weight", c.VocabSize, c.EmbeddingLength));
        var layers = new LayerWeights[c.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            string N(string name) => $"blk.{i}.{name}";
            layers[i] = new LayerWeights
            {
                AttentionNorm = binder.Vector(N("attn_norm.weight"), c.EmbeddingLength),
                Query = binder.Packed(N("attn_q.weight"), c.QueryDim, c.EmbeddingLength),
                Key = binder.Packed(N("attn_k.weight"), c.KvDim, c.EmbeddingLength),
                Value = binder.Packed(N("attn_v.weight"), c.KvDim, c.EmbeddingLength),
                Output = binder.Packed(N("attn_output.weight"), c.EmbeddingLength, c.QueryDim),
                QueryBias = binder.OptionalVector(N("attn_q.bias"), c.QueryDim),
                KeyBias = binder.OptionalVector(N("attn_k.bias"), c.KvDim),
                ValueBias = binder.OptionalVector(N("attn_v.bias"), c.KvDim),
                QueryNorm = binder.OptionalVector(N("attn_q_norm.weight"), c.HeadDim),
                KeyNorm = binder.OptionalVector(N("attn_k_norm.weight"), c.HeadDim),
                FeedForwardNorm = binder.Vector(N("ffn_norm.weight"), c.EmbeddingLength),
                Gate = binder.Packed(N("ffn_gate.weight"), c.FeedForwardLength, c.EmbeddingLength),
                Up = binder.Packed(N("ffn_up.weight"), c.FeedForwardLength, c.EmbeddingLength),
                Down = binder.Packed(N("ffn_down.weight"), c.EmbeddingLength, c.FeedForwardLength),
            };
        }
        return new ModelWeights(embedding, binder.Vector("output_norm.weight", c.EmbeddingLength), output, layers);
    }

    public void Dispose()
    {
        Output.Dispose();
        foreach (var layer in Layers)
            layer.Dispose();
    }

    private sealed class Binder(GgufFile file)
    {
        public PackedMatrix Packed(string name, int rows, int cols) => PackedMatrix.Create(Matrix(name, rows, cols));

        public WeightMatrix Matrix(string name, int rows, int cols)
        {
            var t = file.GetTensor(name);
            if (t.Dimensions.Count != 2 || t.Dimensions[0] != cols || t.Dimensions[1] != rows)
                throw new GgufFormatException($"{file.Path}: tensor '{name}' has shape {t.Shape}, expected [{cols}, {rows}]");
            return new WeightMatrix(file.TensorData(t), t.Type, rows, cols);
        }

        public float[] Vector(string name, int length) =>
            OptionalVector(name, length) ?? throw new GgufFormatException($"{file.Path}: tensor '{name}' not found");

        public float[]? OptionalVector(string name, int length)
        {
            if (file.FindTensor(name) is not { } t)
                return null;
            if (t.ElementCount != length)
                throw new GgufFormatException($"{file.Path}: tensor '{name}' has shape {t.Shape}, expected [{length}]");
            var values = new float[length];
            Dequantizer.DequantizeRow(t.Type, file.TensorRows(t, 0, 1), values);
            return values;
        }
    }
}
