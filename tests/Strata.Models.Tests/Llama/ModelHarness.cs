using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.Models.Gguf;
using Strata.Models.Kv;
using Strata.Models.Llama;
using Strata.TestSupport;

namespace Strata.Models.Tests.Llama;

/// <summary>A model with its own KV buffer and simple sequential block tables, for tests that drive Forward directly.</summary>
internal sealed class ModelHarness : IDisposable
{
    private readonly GgufFile _file;
    private int _nextBlock;

    public ModelHarness(string modelFile, int threads = 1, int blockSize = 16, int blocks = 256, KvDataType kvType = KvDataType.F16, SimdLevel? level = null)
    {
        _file = GgufFile.Open(Path.IsPathRooted(modelFile) ? modelFile : SharedData.Model(modelFile));
        Model = LlamaModel.Load(_file, level ?? SimdSupport.Level);
        Kv = new KvBuffer(Model.KvLayout(blockSize, kvType), blocks);
        // Every job split across the threads, however small: these tests compare thread counts on a tiny model.
        Pool = new ComputePool(threads, serialWork: 0);
    }

    public LlamaModel Model { get; }
    public KvBuffer Kv { get; }
    public ComputePool Pool { get; }

    /// <summary>A fresh block table long enough for <paramref name="tokens"/> positions.</summary>
    public int[] NewSequence(int tokens)
    {
        var blocks = (tokens + Kv.Layout.BlockSize - 1) / Kv.Layout.BlockSize;
        var table = Enumerable.Range(_nextBlock, blocks).ToArray();
        _nextBlock += blocks;
        return table;
    }

    /// <summary>Runs a whole prompt as one sequence in one pass and returns the last token's logits.</summary>
    public float[] Prefill(int[] tokens)
    {
        var batch = new ForwardBatch();
        var seq = batch.AddSequence(NewSequence(tokens.Length));
        for (var i = 0; i < tokens.Length; i++)
            batch.AddToken(seq, tokens[i], i, wantLogits: i == tokens.Length - 1);
        return Model.Forward(batch, Kv, Pool).ToArray();
    }

    public void Dispose()
    {
        Pool.Dispose();
        Kv.Dispose();
        Model.Dispose();
        _file.Dispose();
    }
}
