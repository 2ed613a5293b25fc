using Strata.Kernels.MatMul;
using Strata.Kernels.Simd;
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
    private readonly IDisposable[] _workspaces;

    private ModelWeights(WeightMatrix tokenEmbedding, float[] outputNorm, PackedMatrix output, Layer[] layers, IDisposable[] workspaces)
    {
        TokenEmbedding = tokenEmbedding;
        OutputNorm = outputNorm;
        Output = output;
        Layers = layers;
        _workspaces = workspaces;
    }

    /// <summary>[vocab, embedding]: row t is token t's embedding.</summary>
    public WeightMatrix TokenEmbedding { get; }

    public float[] OutputNorm { get; }

    /// <summary>[vocab, embedding]; the token embedding itself when the model ties them.</summary>
    public PackedMatrix Output { get; }

    public Layer[] Layers { get; }

    public static ModelWeights Bind(GgufFile file, ModelConfig c, SimdLevel level)
    {
        var binder = new TensorBinder(file);
        var embedding = binder.Matrix("token_embd.weight", c.VocabSize, c.EmbeddingLength);
        var output = PackedMatrix.Create(file.FindTensor("output.weight") is null ? embedding : binder.Matrix("output.weight", c.VocabSize, c.EmbeddingLength));
        var attention = new AttentionWorkspace(c);
        var latent = c.LatentAttention is null ? null : new LatentAttentionWorkspace(c, level);
        var feedForward = new FeedForwardWorkspace();
        var experts = c.Experts is { } e ? new ExpertWorkspace(c, e, level) : null;
        var layers = new Layer[c.LayerCount];
        for (var i = 0; i < layers.Length; i++)
        {
            IFeedForwardBlock ffn = experts is not null && i >= c.Experts!.LeadingDenseLayers
                ? MixtureOfExperts.Bind(binder, c, i, experts, feedForward)
                : DenseFeedForward.Bind(binder, c, i, c.FeedForwardLength, feedForward);
            layers[i] = new Layer(
                binder.Vector($"blk.{i}.attn_norm.weight", c.EmbeddingLength),
                latent is null ? GroupedQueryAttention.Bind(binder, c, i, attention) : LatentAttention.Bind(binder, c, i, latent),
                binder.Vector($"blk.{i}.ffn_norm.weight", c.EmbeddingLength),
                ffn);
        }
        IDisposable[] workspaces = [attention, feedForward, .. new IDisposable?[] { experts, latent }.OfType<IDisposable>()];
        return new ModelWeights(embedding, binder.Vector("output_norm.weight", c.EmbeddingLength), output, layers, workspaces);
    }

    public void Dispose()
    {
        Output.Dispose();
        foreach (var layer in Layers)
            layer.Dispose();
        foreach (var workspace in _workspaces)
            workspace.Dispose();
    }
}
