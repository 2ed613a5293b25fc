using Strata.Kernels.Attention;
using Strata.Kernels.Memory;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.KvCache;
using Strata.Models.Kv;

namespace Strata.Models.Llama.Attention;

/// <summary>
/// Causal attention for every token of a batch, reading keys and values through each sequence's block table. The
/// work items are (tile, KV head) pairs: a tile is up to <see cref="TileTokens"/> consecutive tokens of one
/// sequence, which read the same blocks, so each block is widened once for all of them and all their query heads of
/// the group. Latent attention is one KV head shared by all query heads, whose cached row is both key and value
/// (the value is its first <c>KvRank</c> elements); there an item takes a few of the heads, so a single sequence's
/// step still spreads over the workers. Each query still takes its keys one at a time in position order, up to its own position, with the
/// same operations whatever else is in its tile, so the result does not depend on how the batch or the threads are
/// arranged. Items are dealt out round-robin: in a prompt later tiles see more keys, and striding keeps the
/// workers' shares even.
/// </summary>
internal sealed unsafe class AttentionJob : IComputeJob, IDisposable
{
    /// <summary>Tokens per tile: enough to share each widened block widely, few enough for the tile's state to stay in L1.</summary>
    private const int TileTokens = 8;

    /// <summary>Query heads per item in latent attention: enough to share each widened block, few enough to spread a decode step.</summary>
    private const int LatentHeadsPerItem = 4;

    private readonly ModelConfig _config;
    private readonly int _headsPerItem;
    private readonly SimdLevel _level;
    private readonly WorkerScratch[] _scratch;
    private int[] _tileStarts = new int[16];
    private int[] _tileLengths = new int[16];
    private int _tileCount;
    private ForwardBatch _batch = null!;
    private KvBuffer _kv = null!;
    private int _layer;
    private float* _query;
    private float* _output;

    public AttentionJob(ModelConfig config, KvLayout layout, int workers, SimdLevel level)
    {
        _config = config;
        _level = level;
        _headsPerItem = config.LatentAttention is null || config.GroupSize % LatentHeadsPerItem != 0 ? config.GroupSize : LatentHeadsPerItem;
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
        SplitIntoTiles(batch);
        pool.Run(this, Work(batch));
    }

    public void Execute(int worker, int workerCount)
    {
        var parts = _config.KvHeadCount * (_config.GroupSize / _headsPerItem);
        var items = _tileCount * parts;
        for (var item = worker; item < items; item += workerCount)
        {
            // The next item's first block is fetched while this one runs: with many sequences every item starts
            // on keys and values no cache holds.
            var next = item + workerCount;
            if (next < items)
                PrefetchFirstBlock(_tileStarts[next / parts], _tileLengths[next / parts], next % parts * _headsPerItem);
            Attend(_scratch[worker], _tileStarts[item / parts], _tileLengths[item / parts], item % parts * _headsPerItem);
        }
    }

    public void Dispose()
    {
        foreach (var scratch in _scratch)
            scratch.Dispose();
    }

    /// <summary>About the multiply-adds of the step's attention: every token's query heads against its keys and values.</summary>
    private long Work(ForwardBatch batch)
    {
        var keys = 0L;
        foreach (var position in batch.Positions)
            keys += position + 1;
        return keys * _config.QueryDim * 2;
    }

    /// <summary>Runs of consecutive tokens of the same sequence, cut every <see cref="TileTokens"/> tokens.</summary>
    private void SplitIntoTiles(ForwardBatch batch)
    {
        if (_tileStarts.Length < batch.TokenCount)
        {
            _tileStarts = new int[batch.TokenCount];
            _tileLengths = new int[batch.TokenCount];
        }
        _tileCount = 0;
        var sequenceOf = batch.SequenceOf;
        for (var token = 0; token < batch.TokenCount; token++)
        {
            var last = _tileCount - 1;
            if (last >= 0 && _tileLengths[last] < TileTokens && sequenceOf[_tileStarts[last]] == sequenceOf[token])
            {
                _tileLengths[last]++;
                continue;
            }
            _tileStarts[_tileCount] = token;
            _tileLengths[_tileCount++] = 1;
        }
    }

    /// <summary>Query heads firstHead .. firstHead + <see cref="_headsPerItem"/> − 1 (of one KV head's group) of a tile.</summary>
    private void Attend(WorkerScratch s, int firstToken, int tokens, int firstHead)
    {
        var c = _config;
        var layout = _kv.Layout;
        var blockSize = layout.BlockSize;
        var kvHead = firstHead / c.GroupSize;
        var heads = _headsPerItem;
        var headDim = c.HeadDim;
        var groupLength = heads * headDim;
        var table = _batch.BlockTable(_batch.SequenceOf[firstToken]);

        // Each token's keys, by position: a sliding window, or all of them, up to its own position.
        var (spanFirst, spanLast) = KeySpan(firstToken, tokens);
        for (var t = 0; t < tokens; t++)
        {
            var position = _batch.Positions[firstToken + t];
            s.Positions.Pointer[t] = new KeyRange(FirstKey(position), position);
            var groupOffset = (long)(firstToken + t) * c.QueryDim + firstHead * headDim;
            Buffer.MemoryCopy(_query + groupOffset, s.Queries.Pointer + t * groupLength, groupLength * sizeof(float), groupLength * sizeof(float));
        }

        var half = layout.DataType == KvDataType.F16;
        var rows = tokens * heads;
        if (layout.IsQuantized)
            OnlineSoftmaxAttention.BeginQuantized(s.Queries.Pointer, rows, headDim, s.QuantizedQueries, layout.KeyRotation, s.Max.Pointer, s.Sum.Pointer, s.Accumulator.Pointer, _level);
        else
            OnlineSoftmaxAttention.Begin(s.Queries.Pointer, rows, headDim, half, s.Max.Pointer, s.Sum.Pointer, s.Accumulator.Pointer, _level);
        var scale = c.AttentionScale;
        for (var blockIndex = spanFirst / blockSize; blockIndex <= spanLast / blockSize; blockIndex++)
        {
            var blockStart = blockIndex * blockSize;
            var from = Math.Max(spanFirst, blockStart);
            var to = Math.Min(spanLast, blockStart + blockSize - 1);
            if (!AnyTokenReads(s.Positions.Pointer, tokens, from, to))
                continue;
            for (var t = 0; t < tokens; t++)
            {
                var range = s.Positions.Pointer[t];
                s.Ranges.Pointer[t] = new KeyRange(range.First - from, range.Last - from);
            }
            if (blockIndex < spanLast / blockSize)
                PrefetchBlock(table, blockIndex + 1, spanFirst, spanLast, kvHead);
            var block = table[blockIndex];
            var count = to - from + 1;
            if (layout.IsQuantized)
            {
                KvBlockReader.Read(_kv.Values(_layer, block), layout, kvHead, from - blockStart, count, s.Values.Pointer, _level);
                KvBlockReader.ReadKeys(_kv.Keys(_layer, block), layout, kvHead, from - blockStart, count, s.QuantizedKeys);
                OnlineSoftmaxAttention.AccumulateQuantized(s.QuantizedQueries, tokens, heads, s.Ranges.Pointer, s.QuantizedKeys, s.Values.Pointer, count,
                    headDim, scale, s.Max.Pointer, s.Sum.Pointer, s.Accumulator.Pointer, s.Scratch.Pointer, _level);
                continue;
            }
            KvBlockReader.Read(_kv.Keys(_layer, block), layout, kvHead, from - blockStart, count, s.Keys.Pointer, _level);
            var values = s.Keys.Pointer;
            if (!layout.KeysOnly)
            {
                values = s.Values.Pointer;
                KvBlockReader.Read(_kv.Values(_layer, block), layout, kvHead, from - blockStart, count, values, _level);
            }
            OnlineSoftmaxAttention.Accumulate(s.Queries.Pointer, tokens, heads, s.Ranges.Pointer, s.Keys.Pointer, values, count, headDim,
                scale, half, s.Max.Pointer, s.Sum.Pointer, s.Accumulator.Pointer, s.Scratch.Pointer, _level);
        }
        for (var t = 0; t < tokens; t++)
        {
            OnlineSoftmaxAttention.End(s.Sum.Pointer + t * heads, s.Accumulator.Pointer + t * groupLength, heads, headDim,
                _output + (long)(firstToken + t) * c.QueryDim + firstHead * headDim, layout.ValueRotation, _level);
        }
    }

    /// <summary>The first key a query at <paramref name="position"/> reads: the start of its sliding window, or 0.</summary>
    private int FirstKey(int position) => _config.SlidingWindow > 0 ? Math.Max(0, position - _config.SlidingWindow + 1) : 0;

    /// <summary>The keys the tokens firstToken.. of one sequence read, together: from the first one's first key to the last position.</summary>
    private (int First, int Last) KeySpan(int firstToken, int tokens)
    {
        var first = int.MaxValue;
        var last = int.MinValue;
        for (var t = 0; t < tokens; t++)
        {
            var position = _batch.Positions[firstToken + t];
            first = Math.Min(first, FirstKey(position));
            last = Math.Max(last, position);
        }
        return (first, last);
    }

    /// <summary>Asks the caches for the keys and values of the first block an item (as <see cref="Attend"/> takes it) reads.</summary>
    private void PrefetchFirstBlock(int firstToken, int tokens, int firstHead)
    {
        var (spanFirst, spanLast) = KeySpan(firstToken, tokens);
        var table = _batch.BlockTable(_batch.SequenceOf[firstToken]);
        PrefetchBlock(table, spanFirst / _kv.Layout.BlockSize, spanFirst, spanLast, firstHead / _config.GroupSize);
    }

    /// <summary>Asks the caches for one KV head's keys and values at positions spanFirst..spanLast of block <paramref name="blockIndex"/>.</summary>
    private void PrefetchBlock(int[] table, int blockIndex, int spanFirst, int spanLast, int kvHead)
    {
        var layout = _kv.Layout;
        var blockStart = blockIndex * layout.BlockSize;
        var from = Math.Max(spanFirst, blockStart);
        var count = Math.Min(spanLast, blockStart + layout.BlockSize - 1) - from + 1;
        var block = table[blockIndex];
        KvBlockReader.Prefetch(_kv.Keys(_layer, block), layout, kvHead, from - blockStart, count);
        if (!layout.KeysOnly)
            KvBlockReader.Prefetch(_kv.Values(_layer, block), layout, kvHead, from - blockStart, count);
    }

    /// <summary>Whether some token's keys meet positions from..to (a sliding window can leave gaps in a tile's span).</summary>
    private static bool AnyTokenReads(KeyRange* positions, int tokens, int from, int to)
    {
        for (var t = 0; t < tokens; t++)
        {
            if (positions[t].First <= to && positions[t].Last >= from)
                return true;
        }
        return false;
    }

    private sealed class WorkerScratch(ModelConfig c, int blockSize) : IDisposable
    {
        /// <summary>[TileTokens, groupSize, headDim]</summary>
        public NativeBuffer<float> Queries { get; } = new(TileTokens * c.GroupSize * c.HeadDim);
        /// <summary>[TileTokens] each token's keys by position.</summary>
        public NativeBuffer<KeyRange> Positions { get; } = new(TileTokens);
        /// <summary>[TileTokens] each token's keys within the slots read from the current block.</summary>
        public NativeBuffer<KeyRange> Ranges { get; } = new(TileTokens);
        /// <summary>[blockSize, headDim]</summary>
        public NativeBuffer<float> Keys { get; } = new(blockSize * c.HeadDim);
        public NativeBuffer<float> Values { get; } = new(blockSize * c.HeadDim);
        public NativeBuffer<float> Scratch { get; } = new(OnlineSoftmaxAttention.ScratchLength(TileTokens * c.GroupSize));
        /// <summary>A quantized cache's Q8_0 queries: [TileTokens, groupSize, headDim] quants, [.., headDim / 32] scales.</summary>
        private readonly NativeBuffer<sbyte> _queryQuants = new(TileTokens * c.GroupSize * c.HeadDim);
        private readonly NativeBuffer<float> _queryScales = new(TileTokens * c.GroupSize * c.HeadDim / 32);
        /// <summary>A quantized cache's keys of one block as int8 pairs.</summary>
        private readonly NativeBuffer<sbyte> _keyQuants = new(Q8_0Keys.QuantBytes(blockSize, c.HeadDim));
        private readonly NativeBuffer<float> _keyScales = new(Q8_0Keys.ScaleCount(blockSize, c.HeadDim));
        public Q8_0Queries QuantizedQueries => new(_queryQuants.Pointer, _queryScales.Pointer);
        public Q8_0Keys QuantizedKeys => new(_keyQuants.Pointer, _keyScales.Pointer);
        /// <summary>[TileTokens, groupSize]</summary>
        public NativeBuffer<float> Max { get; } = new(TileTokens * c.GroupSize);
        public NativeBuffer<float> Sum { get; } = new(TileTokens * c.GroupSize);
        /// <summary>[TileTokens, groupSize, headDim]</summary>
        public NativeBuffer<float> Accumulator { get; } = new(TileTokens * c.GroupSize * c.HeadDim);

        public void Dispose()
        {
            Queries.Dispose();
            Positions.Dispose();
            Ranges.Dispose();
            Keys.Dispose();
            Values.Dispose();
            Scratch.Dispose();
            Max.Dispose();
            Sum.Dispose();
            Accumulator.Dispose();
            _queryQuants.Dispose();
            _queryScales.Dispose();
            _keyQuants.Dispose();
            _keyScales.Dispose();
        }
    }
}
