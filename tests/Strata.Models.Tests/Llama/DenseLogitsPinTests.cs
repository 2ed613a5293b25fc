using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Strata.Kernels.Quant;
using Strata.Models.Synth;
using Strata.TestSupport;

namespace Strata.Models.Tests.Llama;

/// <summary>
/// Dense models' logits pinned bit for bit: the SHA-256 of every logit of two prompts prefilled together in one
/// batch and four greedy decode steps of both, recorded before the layer was split into attention and feed-forward
/// blocks. Any change to the dense path's arithmetic (an operation reordered, a sum split differently) changes the
/// digest, so the restructuring (and whatever comes after it) has to keep the numerics exactly. The F32 digest was
/// re-pinned once, deliberately, when attention's running softmax sum became a fused multiply-add as in llama.cpp.
/// </summary>
public sealed class DenseLogitsPinTests
{
    private static readonly int[][] Prompts =
    [
        [1, 403, 407, 261, 378, 300, 290],
        [1, 317, 269, 274, 287, 263, 377, 267, 265, 282, 295, 433, 291, 376, 400, 428, 286, 296],
    ];

    [Theory]
    [InlineData("tinyllamas-stories-260k-f32.gguf", "6AB16B1B190844B623A3578C737FE99215ED37549546708C8F40AE552EADA3D2")]
    [InlineData("tinyllamas-stories-260k-q8_0.gguf", "12F6F17544C3E90D45D0EB66E4BEC0943317B5A401AF452696F2EAAE1C8D7836")]
    [InlineData("tinyllamas-stories-260k-q4_0.gguf", "C38BA456C5BADF52DF604C037F8815491C9831923A25C7E56DBA00ED80F82E6A")]
    public void Forward_StoriesModel_LogitsEqualPinnedDigest(string model, string digest)
    {
        using var harness = new ModelHarness(model, threads: 2);
        AssertDigest(digest, Digest(harness));
    }

    [Theory]
    [InlineData("qwen2", "q8_0", 64, "550121CF02D5969AE3E00D585CEE5E2B1FE36709977C7BB97BDC7BB115EE3E1D")]
    [InlineData("qwen3", "q4_0", 128, "01BEDDD804CC2F90AC35BCB65E21F6A3888655F58EE7E4944AA38ECE654B71D2")]
    public void Forward_SynthQwenModel_LogitsEqualPinnedDigest(string architecture, string type, int headDim, string digest)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-pin-{architecture}-{Guid.NewGuid():N}.gguf");
        try
        {
            new SyntheticModelWriter
            {
                Architecture = architecture,
                Shape = SyntheticShape.Parse("256,2,4,2,512", 256) with { HeadDim = headDim },
                WeightType = Enum.Parse<TensorType>(type, ignoreCase: true),
                VocabularyFile = SharedData.Model("ggml-vocab-gpt-2.gguf"),
                Seed = 3,
            }.Write(path);
            using var harness = new ModelHarness(path, threads: 2);
            AssertDigest(digest, Digest(harness));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertDigest(string expected, string actual) =>
        Assert.True(expected == actual, $"the logits' digest is {actual}, pinned {expected}");

    /// <summary>Both prompts in one pass (logits of every position), then four greedy steps of both in one batch.</summary>
    private static string Digest(ModelHarness harness)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var vocab = harness.Model.Config.VocabSize;
        var tables = Prompts.Select(p => harness.NewSequence(p.Length + 4)).ToArray();
        var next = new int[Prompts.Length];
        var batch = new ForwardBatch();
        for (var p = 0; p < Prompts.Length; p++)
        {
            var seq = batch.AddSequence(tables[p]);
            for (var i = 0; i < Prompts[p].Length; i++)
                batch.AddToken(seq, Prompts[p][i], i, wantLogits: true);
        }
        var logits = harness.Model.Forward(batch, harness.Kv, harness.Pool);
        hash.AppendData(MemoryMarshal.AsBytes(logits));
        var row = 0;
        for (var p = 0; p < Prompts.Length; p++)
        {
            row += Prompts[p].Length;
            next[p] = ArgMax(logits.Slice((row - 1) * vocab, vocab));
        }

        for (var step = 0; step < 4; step++)
        {
            batch.Clear();
            for (var p = 0; p < Prompts.Length; p++)
                batch.AddToken(batch.AddSequence(tables[p]), next[p], Prompts[p].Length + step, wantLogits: true);
            logits = harness.Model.Forward(batch, harness.Kv, harness.Pool);
            hash.AppendData(MemoryMarshal.AsBytes(logits));
            for (var p = 0; p < Prompts.Length; p++)
                next[p] = ArgMax(logits.Slice(p * vocab, vocab));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
                best = i;
        }
        return best;
    }
}
