using Strata.Kernels.MatMul;
using Strata.Models.Gguf;
using Strata.Models.Llama.Attention;
using Strata.Models.Llama.FeedForward;

namespace Strata.Models.Llama;

/// <summary>
/// Every weight of a Llama-family model, bound to the tensors of a mapped GGUF file and checked for shape, with the
/// workspaces the layers' blocks share.
/// </summary>
internal sealed class ModelWeights : IDisposable
{
    private readonly AttentionWorkspace _attention;
    private readonly FeedForwardWorkspace _feedForward;

    private ModelWeights(WeightMatrix tokenEmbedding, float[] outputNorm, PackedMatrix output, Layer[] layers,
        AttentionWorkspace attention, FeedForwardWorkspace feedForward)
    {
        TokenEmbedding = tokenEmbedding;
        OutputNorm = outputNorm;
        Output = output;
        Layers = layers;
        _attention = attention;
        _feedForward = feedForward;
    }

    /// <summary>[vocab, embedding]: row t is token t's embedding.</summary>
    public WeightMatrix TokenEmbedding { get; }

    public float[] OutputNorm { get; }

    /// <summary>[vocab, embedding]; the token embedding itself when the model ties them.</summary>
    public PackedMatrix Output { get; }

    public Layer[] Layers { get; }

    public static ModelWeights Bind(GgufFile file, ModelConfig c)
    {
        var binder = new TensorBinder(file);
        var embedding = binder.Matrix("token_embd.weight", c.VocabSize, c.EmbeddingLength);
        var output = PackedMatrix.Create(file.FindTensor("output.weight") is null ? embedding : binder.Matrix("output.weight", c.VocabSize, c.EmbeddingLength));
        var attention = new AttentionWorkspace(c);
        var feedForward = new FeedForwardWorkspace();
        var layers = new Layer[c.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            layers[i] = new Layer(
                binder.Vector($"blk.{i}.attn_norm.weight", c.EmbeddingLength),
                GroupedQueryAttention.Bind(binder, c, i, attention),
                binder.Vector($"blk.{i}.ffn_norm.weight", c.EmbeddingLength),
                DenseFeedForward.Bind(binder, c, i, c.FeedForwardLength, feedForward));
        }
        return new ModelWeights(embedding, binder.Vector("output_norm.weight", c.EmbeddingLength), output, layers, attention, feedForward);
    }

    public void Dispose()
    {
        Output.Dispose();
        foreach (var layer in Layers)
            layer.Dispose();
        _attention.Dispose();
        _feedForward.Dispose();
    }
}
