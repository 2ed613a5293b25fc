using Strata.KvCache;
using System.Diagnostics;
using Strata.Kernels.Diagnostics;
using Strata.Kernels.Simd;
using Strata.Kernels.Threading;
using Strata.Models;
using Strata.Models.Gguf;
using Strata.Models.Kv;
using Strata.Models.Llama;

namespace Strata.Cli.Commands.Bench;

/// <summary>
/// Drives <see cref="LlamaModel.Forward"/> directly, with its own KV buffer and block tables, through the tests
/// llama-bench and llama-batched-bench run: prefill of one prompt, decode from an empty context and at a depth, and
/// many sequences decoding together. Token ids are random; the work does not depend on them.
/// </summary>
internal sealed class ModelBenchmark : IDisposable
{
    private const int BlockSize = 16;
    private const int MaxPrefillChunk = 512;

    /// <summary>Decode steps between two probes of the roof: about a second on a 1B model, as the host's bandwidth drifts within seconds.</summary>
    public const int SegmentTokens = 32;

    private readonly ModelBenchOptions _options;
    private readonly GgufFile _file;
    private readonly LlamaModel _model;
    private readonly KvBuffer _kv;
    private readonly ComputePool _pool;
    private readonly MemoryBandwidthProbe _probe;
    private readonly ForwardBatch _batch = new();
    private readonly Random _random = new(1);
    private int _nextBlock;

    public ModelBenchmark(ModelBenchOptions options)
    {
        _options = options;
        _file = GgufFile.Open(options.ModelPath);
        _model = LlamaModel.Load(_file);
        _pool = new ComputePool(options.Threads);
        _probe = new MemoryBandwidthProbe();
        var longest = Math.Max(options.Prompt, options.Depth + options.Generate);
        var blocks = Math.Max(Blocks(longest), options.Batches.Max() * Blocks(options.BatchedPrompt + options.Generate));
        _kv = new KvBuffer(_model.KvLayout(BlockSize, options.KvType), blocks);
    }

    /// <summary>Runs every test; <paramref name="progress"/> gets a phase name and the fraction of all work done.</summary>
    public ModelBenchReport Run(Action<string, double> progress)
    {
        var o = _options;
        var steps = 4.0 + o.Batches.Count;
        progress("memory bandwidth", 0);
        var bandwidth = _probe.Best(_pool);
        progress("int8 peak", 0.5 / steps);
        var int8Peak = Int8PeakProbe.Measure(_pool);
        progress("warm-up", 1 / steps);
        WarmUp();

        var layout = _kv.Layout;
        var kvBytesPerPosition = layout.BlockBytes / layout.BlockSize;
        var bytesPerToken = _model.WeightBytesPerToken + kvBytesPerPosition * (o.Generate / 2);
        var bytesAtDepth = _model.WeightBytesPerToken + kvBytesPerPosition * (o.Depth + o.Generate / 2);

        var collections = GC.CollectionCount(0);
        var pauses = GC.GetTotalPauseDuration();
        progress($"prefill {o.Prompt}", 1.5 / steps);
        var prefill = Mean(() => o.Prompt / Prefill(o.Prompt));
        progress($"decode {o.Generate}", 2 / steps);
        var decode = BracketDecode(depth: 0, bytesPerToken);
        progress($"decode {o.Generate} at depth {o.Depth}", 3 / steps);
        var decodeAtDepth = BracketDecode(o.Depth, bytesAtDepth);
        var batched = new List<BatchedResult>();
        for (var i = 0; i < o.Batches.Count; i++)
        {
            progress($"{o.Batches[i]} sequences", (4 + i) / steps);
            batched.Add(Batched(o.Batches[i]));
        }
        progress("done", 1);

        return new ModelBenchReport
        {
            Model = Path.GetFileName(o.ModelPath),
            Simd = SimdSupport.Level.ToString().ToLowerInvariant(),
            Threads = o.Threads,
            Prompt = o.Prompt,
            Generate = o.Generate,
            PrefillTokS = prefill,
            DecodeTokS = decode.MeanTokS,
            Depth = o.Depth,
            DecodeDepthTokS = decodeAtDepth.MeanTokS,
            Batched = batched,
            MemBwGbS = bandwidth,
            KvType = layout.DataType.ToString().ToLowerInvariant(),
            KvBytesPerToken = kvBytesPerPosition,
            DecodeBytesPerToken = bytesPerToken,
            DecodeRooflineFraction = decode.RooflineFraction,
            DecodeRoofGbS = decode.RoofGbS,
            DecodeRoofProbesGbS = decode.ProbesGbS,
            DecodeDepthRooflineFraction = decodeAtDepth.RooflineFraction,
            DecodeDepthRoofProbesGbS = decodeAtDepth.ProbesGbS,
            Int8PeakGmacs = int8Peak,
            GcCount = GC.CollectionCount(0) - collections,
            GcPauseMs = (GC.GetTotalPauseDuration() - pauses).TotalMilliseconds,
        };
    }

    public void Dispose()
    {
        _probe.Dispose();
        _pool.Dispose();
        _kv.Dispose();
        _model.Dispose();
        _file.Dispose();
    }

    /// <summary>Runs each kernel shape often enough for the JIT's tiered compilation to reach its optimised code.</summary>
    private void WarmUp()
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 2;
        do
        {
            Prefill(64);
            Decode(depth: 0, steps: 8);
            Batched(4, prompt: 8, steps: 4);
        }
        while (Stopwatch.GetTimestamp() < deadline);
    }

    /// <summary>
    /// The timed decode runs in segments of <see cref="SegmentTokens"/> steps, with a probe of the bandwidth roof
    /// before the first and after every segment (see <see cref="BracketedDecode"/>); probes are not timed.
    /// </summary>
    private BracketedDecode BracketDecode(int depth, long bytesPerToken)
    {
        var segments = new List<DecodeSegment>();
        var probes = new List<double> { _probe.Best(_pool) };
        for (var run = 0; run < _options.Repetitions; run++)
        {
            var table = Prefilled(depth, _options.Generate);
            for (var done = 0; done < _options.Generate; done += SegmentTokens)
            {
                var tokens = Math.Min(SegmentTokens, _options.Generate - done);
                segments.Add(new DecodeSegment(run, tokens, Steps(table, depth + done, tokens)));
                probes.Add(_probe.Best(_pool));
            }
        }
        return new BracketedDecode(segments, probes, bytesPerToken);
    }

    /// <summary>Seconds to prefill one fresh sequence of <paramref name="tokens"/> tokens in one pass.</summary>
    private double Prefill(int tokens)
    {
        _nextBlock = 0;
        var table = NewTable(tokens);
        _batch.Clear();
        var seq = _batch.AddSequence(table);
        for (var i = 0; i < tokens; i++)
            _batch.AddToken(seq, RandomToken(), i, wantLogits: i == tokens - 1);
        var start = Stopwatch.GetTimestamp();
        _model.Forward(_batch, _kv, _pool);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Seconds to decode <paramref name="steps"/> tokens one at a time after <paramref name="depth"/> prompt tokens (untimed).</summary>
    private double Decode(int depth, int steps) => Steps(Prefilled(depth, steps), depth, steps);

    /// <summary>A fresh sequence's block table with room for <paramref name="depth"/> + <paramref name="steps"/> tokens, its first <paramref name="depth"/> prefilled.</summary>
    private int[] Prefilled(int depth, int steps)
    {
        _nextBlock = 0;
        var table = NewTable(depth + steps);
        for (var start = 0; start < depth; start += MaxPrefillChunk)
        {
            _batch.Clear();
            var seq = _batch.AddSequence(table);
            for (var i = start; i < Math.Min(depth, start + MaxPrefillChunk); i++)
                _batch.AddToken(seq, RandomToken(), i, wantLogits: false);
            _model.Forward(_batch, _kv, _pool);
        }
        return table;
    }

    /// <summary>Seconds to decode <paramref name="count"/> tokens one at a time at positions from <paramref name="position"/>.</summary>
    private double Steps(int[] table, int position, int count)
    {
        var begin = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            _batch.Clear();
            var seq = _batch.AddSequence(table);
            _batch.AddToken(seq, RandomToken(), position + i, wantLogits: true);
            _model.Forward(_batch, _kv, _pool);
        }
        return Stopwatch.GetElapsedTime(begin).TotalSeconds;
    }

    /// <summary>Prompts for <paramref name="sequences"/> sequences (in passes of up to 512 tokens), then steps of one token each.</summary>
    private BatchedResult Batched(int sequences, int? prompt = null, int? steps = null)
    {
        var promptLength = prompt ?? _options.BatchedPrompt;
        var stepCount = steps ?? _options.Generate;
        _nextBlock = 0;
        var tables = new int[sequences][];
        for (var s = 0; s < sequences; s++)
            tables[s] = NewTable(promptLength + stepCount);

        var prefillStart = Stopwatch.GetTimestamp();
        _batch.Clear();
        for (var s = 0; s < sequences; s++)
        {
            if (_batch.TokenCount + promptLength > MaxPrefillChunk && _batch.TokenCount > 0)
            {
                _model.Forward(_batch, _kv, _pool);
                _batch.Clear();
            }
            var seq = _batch.AddSequence(tables[s]);
            for (var i = 0; i < promptLength; i++)
                _batch.AddToken(seq, RandomToken(), i, wantLogits: i == promptLength - 1);
        }
        _model.Forward(_batch, _kv, _pool);
        var prefillSeconds = Stopwatch.GetElapsedTime(prefillStart).TotalSeconds;

        var decodeStart = Stopwatch.GetTimestamp();
        for (var step = 0; step < stepCount; step++)
        {
            _batch.Clear();
            for (var s = 0; s < sequences; s++)
                _batch.AddToken(_batch.AddSequence(tables[s]), RandomToken(), promptLength + step, wantLogits: true);
            _model.Forward(_batch, _kv, _pool);
        }
        var decodeSeconds = Stopwatch.GetElapsedTime(decodeStart).TotalSeconds;
        return new BatchedResult(sequences, sequences * promptLength / prefillSeconds, sequences * stepCount / decodeSeconds);
    }

    private double Mean(Func<double> repetition)
    {
        var sum = 0.0;
        for (var r = 0; r < _options.Repetitions; r++)
            sum += repetition();
        return sum / _options.Repetitions;
    }

    private int[] NewTable(int tokens)
    {
        var table = new int[Blocks(tokens)];
        for (var i = 0; i < table.Length; i++)
            table[i] = _nextBlock++;
        return table;
    }

    private int RandomToken() => _random.Next(3, _model.Config.VocabSize);

    private static int Blocks(int tokens) => (tokens + BlockSize - 1) / BlockSize;
}
