using Strata.Kernels.Attention;
using Strata.Kernels.Threading;
using Strata.Models.Kv;

namespace Strata.Models.Llama;

/// <summary>
/// Causal attention for every (token, KV head) pair of a batch, reading keys and values through each sequence's
/// block table. One worker computes a pair start to finish in a fixed block order, so the result does not depend
/// on how the batch or the threads are arranged.
/// </summary>
internal sealed unsafe class AttentionJob : IComputeJob
{
    private readonly ModelConfig _config;
    private readonly WorkerScratch[] _scratch;
    private ForwardBatch _batch = null!;
    private KvBuffer _kv = null!;
    private int _layer;
    private float* _query;
    private float* _output;

    public AttentionJob(ModelConfig config, KvLayout layout, int workers)
    {
        _config = config;
        _scratch = Enumerable.Range(0, workers).Select(_ => new WorkerScratch(config, layout.BlockSize)).ToArray();
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
        var (start, end) = Partition.Range(_batch.TokenCount * c.KvHeadCount, worker, workerCount);
        var s = _scratch[worker];
        for (var item = start; item < end; item++)
        {
            var token = item / c.KvHeadCount;
            var kvHead = item % c.KvHeadCount;
            var groupOffset = (long)token * c.QueryDim + kvHead * c.GroupSize * c.HeadDim;
            var groupLength = c.GroupSize * c.HeadDim;
            new ReadOnlySpan<float>(_query + groupOffset, groupLength).CopyTo(s.Queries);
            Attend(s, token, kvHead, new Span<float>(_output + groupOffset, groupLength));
        }
    }

    private void Attend(WorkerScratch s, int token, int kvHead, Span<float> output)
    {
        var layout = _kv.Layout;
        var blockSize = layout.BlockSize;
        var position = _batch.Positions[token];
        var table = _batch.BlockTable(_batch.SequenceOf[token]);
        var first = _config.SlidingWindow > 0 ? Math.Max(0, position - _config.SlidingWindow + 1) : 0;
        var scale = 1f / MathF.Sqrt(_config.HeadDim);

        var half = layout.DataType == KvDataType.F16;
        OnlineSoftmaxAttention.Begin(s.Queries, half, s.Max, s.Sum, s.Accumulator);
        for (var blockIndex = first / blockSize; blockIndex <= position / blockSize; blockIndex++)
        {
            var blockStart = blockIndex * blockSize;
            var from = Math.Max(first, blockStart) - blockStart;
            var count = Math.Min(position, blockStart + blockSize - 1) - blockStart - from + 1;
            var block = table[blockIndex];
            KvBlockReader.Read(_kv.Keys(_layer, block), layout, kvHead, from, count, s.Keys);
            KvBlockReader.Read(_kv.Values(_layer, block), layout, kvHead, from, count, s.Values);
            OnlineSoftmaxAttention.Accumulate(s.Queries, s.Keys, s.Values, count, _config.HeadDim, scale, half,
                s.Max, s.Sum, s.Accumulator, s.Scores);
        }
        OnlineSoftmaxAttention.End(s.Sum, s.Accumulator, _config.HeadDim, output);
    }

    private sealed class WorkerScratch(ModelConfig c, int blockSize)
    {
        public float[] Queries { get; } = new float[c.GroupSize * c.HeadDim];
        public float[] Keys { get; } = new float[blockSize * c.HeadDim];
        public float[] Values { get; } = new float[blockSize * c.HeadDim];
        public float[] Scores { get; } = new float[blockSize];
        public float[] Max { get; } = new float[c.GroupSize];
        public float[] Sum { get; } = new float[c.GroupSize];
        public float[] Accumulator { get; } = new float[c.GroupSize * c.HeadDim];
    }
}
