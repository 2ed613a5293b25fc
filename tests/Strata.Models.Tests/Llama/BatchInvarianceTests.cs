using Strata.KvCache;

namespace Strata.Models.Tests.Llama;

/// <summary>A sequence's logits must not depend on what else is in the batch, how its prompt is chunked, or the thread count.</summary>
public sealed class BatchInvarianceTests
{
    private static readonly int[][] Prompts = Enumerable.Range(0, 8)
        .Select(p => Enumerable.Range(0, 5 + 7 * p).Select(i => 1 + (i * 37 + p * 101) % 500).ToArray())
        .ToArray();

    [Theory]
    [InlineData("tinyllamas-stories-260k-f32.gguf")]
    [InlineData("tinyllamas-stories-260k-q4_0.gguf")]
    public void Forward_EightPromptsTogether_EqualEachAlone(string model)
    {
        var alone = Prompts.Select(p => PromptLogitsAlone(model, p, threads: 1)).ToArray();

        foreach (var threads in new[] { 1, 2 })
        {
            using var harness = new ModelHarness(model, threads);
            var batch = new ForwardBatch();
            foreach (var prompt in Prompts)
            {
                var seq = batch.AddSequence(harness.NewSequence(prompt.Length));
                for (var i = 0; i < prompt.Length; i++)
                    batch.AddToken(seq, prompt[i], i, wantLogits: true);
            }
            var logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();

            var vocab = harness.Model.Config.VocabSize;
            var row = 0;
            for (var p = 0; p < Prompts.Length; p++)
            {
                for (var i = 0; i < Prompts[p].Length; i++, row++)
                    Assert.Equal(alone[p][i], logits.AsSpan(row * vocab, vocab).ToArray());
            }
        }
    }

    [Theory]
    [InlineData("tinyllamas-stories-260k-f32.gguf", 1)]
    [InlineData("tinyllamas-stories-260k-f32.gguf", 3)]
    [InlineData("tinyllamas-stories-260k-q8_0.gguf", 7)]
    public void Forward_PromptInChunks_EqualsWholePrompt(string model, int chunk)
    {
        var prompt = Prompts[^1];
        var whole = PromptLogitsAlone(model, prompt, threads: 2);

        using var harness = new ModelHarness(model, threads: 2);
        var table = harness.NewSequence(prompt.Length);
        for (var start = 0; start < prompt.Length; start += chunk)
        {
            var batch = new ForwardBatch();
            var seq = batch.AddSequence(table);
            var end = Math.Min(prompt.Length, start + chunk);
            for (var i = start; i < end; i++)
                batch.AddToken(seq, prompt[i], i, wantLogits: true);
            var logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
            var vocab = harness.Model.Config.VocabSize;
            for (var i = start; i < end; i++)
                Assert.Equal(whole[i], logits.AsSpan((i - start) * vocab, vocab).ToArray());
        }
    }

    [Fact]
    public void Forward_F32KvCache_AlsoBatchInvariant()
    {
        using var single = new ModelHarness("tinyllamas-stories-260k-q8_0.gguf", kvType: KvDataType.F32);
        var expected = single.Prefill(Prompts[3]);
        using var other = new ModelHarness("tinyllamas-stories-260k-q8_0.gguf", threads: 2, kvType: KvDataType.F32);
        other.Prefill(Prompts[5]);
        Assert.Equal(expected, other.Prefill(Prompts[3]));
    }

    /// <summary>Logits of every position of a prompt run alone in one pass: [position][vocab].</summary>
    private static float[][] PromptLogitsAlone(string model, int[] prompt, int threads)
    {
        using var harness = new ModelHarness(model, threads);
        var batch = new ForwardBatch();
        var seq = batch.AddSequence(harness.NewSequence(prompt.Length));
        for (var i = 0; i < prompt.Length; i++)
            batch.AddToken(seq, prompt[i], i, wantLogits: true);
        var logits = harness.Model.Forward(batch, harness.Kv, harness.Pool).ToArray();
        var vocab = harness.Model.Config.VocabSize;
        return Enumerable.Range(0, prompt.Length).Select(i => logits.AsSpan(i * vocab, vocab).ToArray()).ToArray();
    }
}
