using Strata.KvCache;
using Strata.Models.Kv;
using Strata.Models.Tests.Llama;

namespace Strata.Models.Tests.Kv;

public sealed unsafe class KvBufferTests
{
    private const int HugePage = 2 << 20;

    /// <summary>Eight KV heads of 64 in blocks of 16, F16: 16 KiB per block and layer, so 128 blocks fill one 2 MiB page.</summary>
    private static readonly KvLayout Layout = new(LayerCount: 2, KvHeadCount: 8, HeadDim: 64, BlockSize: 16, KvDataType.F16);

    [Fact]
    public void LayerTensorsOfAHugePageOrMore_StartOnHugePageBoundaries()
    {
        using var kv = new KvBuffer(Layout, blockCount: 128);

        Assert.True(kv.OnHugePages);
        for (var layer = 0; layer < Layout.LayerCount; layer++)
        {
            Assert.Equal(0, (long)kv.Keys(layer, 0) % HugePage);
            Assert.Equal(0, (long)kv.Values(layer, 0) % HugePage);
        }
    }

    [Fact]
    public void LayerTensorsBelowAHugePage_KeepOrdinaryPages()
    {
        using var kv = new KvBuffer(Layout, blockCount: 127);

        Assert.False(kv.OnHugePages);
    }

    [Fact]
    public void Attention_OverAHugePageCache_EqualsAnOrdinaryCache()
    {
        var prompts = Enumerable.Range(0, 8)
            .Select(p => Enumerable.Range(0, 9 + 5 * p).Select(i => 1 + (i * 53 + p * 97) % 500).ToArray())
            .ToArray();
        using var ordinary = new ModelHarness("tinyllamas-stories-260k-q8_0.gguf", threads: 2);
        Assert.False(ordinary.Kv.OnHugePages);
        var expected = prompts.Select(ordinary.Prefill).ToArray();

        // 1 KiB per block and layer: 2048 blocks fill a 2 MiB page per layer tensor.
        using var huge = new ModelHarness("tinyllamas-stories-260k-q8_0.gguf", threads: 2, blocks: 2048);
        Assert.True(huge.Kv.OnHugePages);
        var batch = new ForwardBatch();
        foreach (var prompt in prompts)
        {
            var seq = batch.AddSequence(huge.NewSequence(prompt.Length));
            for (var i = 0; i < prompt.Length; i++)
                batch.AddToken(seq, prompt[i], i, wantLogits: i == prompt.Length - 1);
        }
        var logits = huge.Model.Forward(batch, huge.Kv, huge.Pool).ToArray();

        var vocab = huge.Model.Config.VocabSize;
        for (var p = 0; p < prompts.Length; p++)
            Assert.Equal(expected[p], logits.AsSpan(p * vocab, vocab).ToArray());
    }
}
