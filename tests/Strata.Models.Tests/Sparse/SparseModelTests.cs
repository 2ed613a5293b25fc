using Strata.Kernels.Quant;
using Strata.KvCache;
using Strata.Models.Kv;
using Strata.Models.Tests.Llama;

namespace Strata.Models.Tests.Sparse;

/// <summary>Sparse models keep the dense path's guarantees: batch invariance, no allocation per decode step, a small latent cache.</summary>
public sealed class SparseModelTests
{
    private static readonly int[][] Prompts = Enumerable.Range(0, 5)
        .Select(p => Enumerable.Range(0, 3 + 5 * p).Select(i => 1 + (i * 37 + p * 101) % 500).ToArray())
        .ToArray();

    /// <summary>Tokens grouped by expert, and latent attention split over heads, give each sequence the bits it gets alone.</summary>
    [Theory]
    [InlineData("mixtral", "q4_0")]
    [InlineData("qwen2moe", "q8_0")]
    [InlineData("deepseek2", "q8_0")]
    [InlineData("deepseek2-sigmoid", "f32")]
    public void Forward_PromptsAndDecodesTogether_EqualEachAlone(string variant, string type)
    {
        using var file = new SyntheticModelFile(variant, Enum.Parse<TensorType>(type, ignoreCase: true));
        var alone = Prompts.Select(p =>
        {
            using var single = new ModelHarness(file.Path, threads: 1);
            return Run(single, [p]).Single();
        }).ToArray();

        using var harness = new ModelHarness(file.Path, threads: 2);
        var together = Run(harness, Prompts);
        for (var p = 0; p < Prompts.Length; p++)
            Assert.Equal(alone[p], together[p]);
    }

    [Theory]
    [InlineData("mixtral", "q4_0")]
    [InlineData("qwen2moe", "q8_0")]
    [InlineData("deepseek2", "q8_0")]
    public void DecodeStep_AfterWarmUp_AllocatesNothing(string variant, string type)
    {
        using var file = new SyntheticModelFile(variant, Enum.Parse<TensorType>(type, ignoreCase: true));
        using var harness = new ModelHarness(file.Path, threads: 2);
        var table = harness.NewSequence(200);
        var batch = new ForwardBatch();
        var position = 0;
        void Step()
        {
            batch.Clear();
            batch.AddToken(batch.AddSequence(table), 1 + position % 400, position, wantLogits: true);
            harness.Model.Forward(batch, harness.Kv, harness.Pool);
            position++;
        }

        for (var i = 0; i < 60; i++)
            Step();
        var before = GC.GetAllocatedBytesForCurrentThread() + harness.Pool.WorkerAllocatedBytes;
        for (var i = 0; i < 30; i++)
            Step();
        var after = GC.GetAllocatedBytesForCurrentThread() + harness.Pool.WorkerAllocatedBytes;

        Assert.Equal(0, after - before);
    }

    [Fact]
    public void KvLayout_LatentAttention_StoresOneRowOfLatentAndRopePerTokenAndLayer()
    {
        using var file = new SyntheticModelFile("deepseek2", TensorType.Q8_0);
        using var harness = new ModelHarness(file.Path);
        var layout = harness.Model.KvLayout(16, KvDataType.F16);

        // 3 layers × (latent 64 + rope 32) × 2 bytes; full K/V would be 3 × 4 heads × ((64 + 32) + 64) × 2 bytes.
        Assert.True(layout.KeysOnly);
        Assert.Equal(1, layout.TensorsPerLayer);
        Assert.Equal(3 * 96 * 2, layout.BytesPerToken);
        Assert.Equal(16 * layout.BytesPerToken, layout.BlockBytes);
        Assert.Throws<InvalidOperationException>(() => ValuesOf(harness.Kv));
    }

    private static unsafe void ValuesOf(KvBuffer kv) => _ = kv.Values(0, 0);

    /// <summary>Prefills every prompt in one pass, then three greedy steps of all of them in one batch: each sequence's logit rows.</summary>
    private static float[][][] Run(ModelHarness harness, int[][] prompts)
    {
        var vocab = harness.Model.Config.VocabSize;
        var tables = prompts.Select(p => harness.NewSequence(p.Length + 3)).ToArray();
        var rows = prompts.Select(_ => new List<float[]>()).ToArray();
        var batch = new ForwardBatch();
        for (var p = 0; p < prompts.Length; p++)
        {
            var seq = batch.AddSequence(tables[p]);
            for (var i = 0; i < prompts[p].Length; i++)
                batch.AddToken(seq, prompts[p][i], i, wantLogits: true);
        }
        var logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
        var row = 0;
        foreach (var (prompt, p) in prompts.Select((prompt, p) => (prompt, p)))
        {
            for (var i = 0; i < prompt.Length; i++, row++)
                rows[p].Add(logits.AsSpan(row * vocab, vocab).ToArray());
        }
        for (var step = 0; step < 3; step++)
        {
            batch.Clear();
            for (var p = 0; p < prompts.Length; p++)
            {
                var last = rows[p][^1];
                batch.AddToken(batch.AddSequence(tables[p]), Array.IndexOf(last, last.Max()), prompts[p].Length + step, wantLogits: true);
            }
            logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
            for (var p = 0; p < prompts.Length; p++)
                rows[p].Add(logits.AsSpan(p * vocab, vocab).ToArray());
        }
        return rows.Select(r => r.ToArray()).ToArray();
    }
}
