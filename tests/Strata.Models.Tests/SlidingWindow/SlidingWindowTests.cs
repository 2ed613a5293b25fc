using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.Models.Gguf;
using Strata.Models.Kv;
using Strata.Models.Llama;
using Strata.TestSupport;

namespace Strata.Models.Tests.SlidingWindow;

/// <summary>
/// Mistral-style sliding-window attention, switched on by <c>llama.attention.sliding_window</c>: a token only sees
/// the last W positions, so through L layers the last logits depend on at most the last L·(W−1)+1 tokens.
/// </summary>
public sealed class SlidingWindowTests : IDisposable
{
    private const int Window = 4;
    private const int Layers = 5; // TinyStories
    private const int PromptLength = 40;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"strata-swa-{Guid.NewGuid():N}.gguf");

    public SlidingWindowTests()
    {
        using var source = GgufFile.Open(SharedData.Model("tinyllamas-stories-260k-f32.gguf"));
        var writer = new GgufWriter();
        foreach (var (key, value) in source.Metadata.Entries)
            writer.Add(key, value);
        writer.Add("llama.attention.sliding_window", GgufValue.Of((uint)Window));
        foreach (var tensor in source.Tensors)
        {
            var bytes = source.TensorRows(tensor, 0, (int)tensor.Rows).ToArray();
            writer.AddTensor(tensor.Name, tensor.Type, tensor.Dimensions.ToArray(), bytes);
        }
        writer.Write(_path);
    }

    [Fact]
    public void Forward_TokenOutsideReceptiveField_DoesNotChangeLastLogits()
    {
        var prompt = Prompt();
        var changedFar = (int[])prompt.Clone();
        changedFar[1] = 77; // position 1 is far beyond L·(W−1) positions back from the end

        Assert.Equal(LastLogits(_path, prompt), LastLogits(_path, changedFar));
        Assert.NotEqual(LastLogits(SharedData.Model("tinyllamas-stories-260k-f32.gguf"), prompt),
            LastLogits(SharedData.Model("tinyllamas-stories-260k-f32.gguf"), changedFar));
    }

    [Fact]
    public void Forward_TokenInsideWindow_ChangesLastLogits()
    {
        var prompt = Prompt();
        var changedNear = (int[])prompt.Clone();
        changedNear[PromptLength - 2] = 77;

        Assert.NotEqual(LastLogits(_path, prompt), LastLogits(_path, changedNear));
        Assert.True(PromptLength - 1 - Layers * (Window - 1) > 1, "the far token must lie outside the receptive field");
    }

    public void Dispose() => File.Delete(_path);

    private static int[] Prompt() => Enumerable.Range(0, PromptLength).Select(i => i == 0 ? 1 : 260 + i * 5 % 200).ToArray();

    private static float[] LastLogits(string path, int[] prompt)
    {
        using var file = GgufFile.Open(path);
        using var model = LlamaModel.Load(file);
        using var kv = new KvBuffer(model.KvLayout(16, KvDataType.F16), 4);
        using var pool = new ComputePool(1);
        var batch = new ForwardBatch();
        var sequence = batch.AddSequence([0, 1, 2, 3]);
        for (var i = 0; i < prompt.Length; i++)
            batch.AddToken(sequence, prompt[i], i, wantLogits: i == prompt.Length - 1);
        return model.Forward(batch, kv, pool).ToArray();
    }
}
