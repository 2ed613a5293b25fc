using Strata.Kernels.Attention;
using Strata.Kernels.Memory;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// Causal attention for every (token, KV head) pair of a batch, reading keys and values through each sequence's
/// block table. One worker computes a pair start to finish in a fixed block order, so the result does not depend
/// on how the batch or the threads are arranged. Pairs are dealt out round-robin: in a prompt later tokens see
/// more keys, and striding keeps the workers' shares even.
/// </summary>
internal sealed unsafe class AttentionJob : IComputeJob, IDisposable
{
    private readonly ModelConfig _config;
    private readonly SimdLevel _level;
    private readonly WorkerScratch[] _scratch;
    private ForwardBatch _batch = null!;
    private KvBuffer _kv = null!;
    private int _layer;
    private float* _query;
    private float* _output;

    public AttentionJob(ModelConfig config, KvLayout layout, int workers, SimdLevel level)
    {
        _config = config;
        _level = level;
        _scratch = new WorkerScratch[workers];
        for (var i = 0; i < workers; i++)
            _scratch[i] = new WorkerScratch(config, layout.BlockSize);
    }

    /// <param name="query">[tokens, queryDim] rotated queries.</param>
    /// <param name="output">[tokens, queryDim] attention outputs.</param>
    public void Run(ComputePool pool, ForwardBatch batch, KvBuffer kv, int layer, float* query, float* output)
    {
        _batch = batch;
        _kv = kv;
        _layer = layer;
        _query = query;
        _output = output;
        pool.Run(this);
    }

    public void Execute(int worker, int workerCount)
    {
        var c = _config;
        var s = _scratch[worker];
        var groupLength = c.GroupSize * c.HeadDim;
        for (var item = worker; item < _batch.TokenCount * c.KvHeadCount; item += workerCount)
        {
            var token = item / c.KvHeadCount;
            var kvHead = item % c.KvHeadCount;
            var groupOffset = (long)token * c.QueryDim + kvHead * groupLength;
            Buffer.MemoryCopy(_query + groupOffset, s.Queries.Pointer, groupLength * sizeof(float), groupLength * sizeof(float));
            Attend(s, token, kvHead, _output + groupOffset);
        }
    }

    public void Dispose()
    {
        foreach (var scratch in _scratch)
            scratch.Dispose();
    }

    private void Attend(WorkerScratch s, int token, int kvHead, float* output)
    {
        var layout = _kv.Layout;
        var blockSize = layout.BlockSize;
        var position = _batch.Positions[token];
        var table = _batch.BlockTable(_batch.SequenceOf[token]);
        var first = _config.SlidingWindow > 0 ? Math.Max(0, position - _config.SlidingWindow + 1) : 0;
        var scale = 1f / MathF.Sqrt(_config.HeadDim);
        var heads = _config.GroupSize;
        var headDim = _config.HeadDim;

        var half = layout.DataType == KvDataType.F16;
        OnlineSoftmaxAttention.Begin(s.Queries.Pointer, heads, headDim, half, s.Max.Pointer, s.Sum.Pointer, s.Accumulator.Pointer, _level);
        for (var blockIndex = first / blockSize; blockIndex <= position / blockSize; blockIndex++)
        {
            var blockStart = blockIndex * blockSize;
            var from = Math.Max(first, blockStart) - blockStart;
            var count = Math.Min(position, blockStart + blockSize - 1) - blockStart - from + 1;
            var block = table[blockIndex];
            KvBlockReader.Read(_kv.Keys(_layer, block), layout, kvHead, from, count, s.Keys.Pointer, _level);
            KvBlockReader.Read(_kv.Values(_layer, block), layout, kvHead, from, count, s.Values.Pointer, _level);
            OnlineSoftmaxAttention.Accumulate(s.Queries.Pointer, s.Keys.Pointer, s.Values.Pointer, count, heads, headDim, scale, half,
                s.Max.Pointer, s.Sum.Pointer, s.Accumulator.Pointer, s.Scores.Pointer, _level);
        }
        OnlineSoftmaxAttention.End(s.Sum.Pointer, s.Accumulator.Pointer, heads, headDim, output);
    }

    private sealed class WorkerScratch(ModelConfig c, int blockSize) : IDisposable
    {
        /// <summary>[groupSize, headDim]</summary>
        public NativeBuffer<float> Queries { get; } = new(c.GroupSize * c.HeadDim);
        /// <summary>[blockSize, headDim]</summary>
        public NativeBuffer<float> Keys { get; } = new(blockSize * c.HeadDim);
        public NativeBuffer<float> Values { get; } = new(blockSize * c.HeadDim);
        /// <summary>[3, groupSize, blockSize]: scores, then the softmax corrections and weights.</summary>
        public NativeBuffer<float> Scores { get; } = new(3 * c.GroupSize * blockSize);
        /// <summary>[groupSize]</summary>
        public NativeBuffer<float> Max { get; } = new(c.GroupSize);
        public NativeBuffer<float> Sum { get; } = new(c.GroupSize);
        /// <summary>[groupSize, headDim]</summary>
        public NativeBuffer<float> Accumulator { get; } = new(c.GroupSize * c.HeadDim);

        public void Dispose()
        {
            foreach (var buffer in new[] { Queries, Keys, Values, Scores, Max, Sum, Accumulator })
                buffer.Dispose();
        }
    }
}
