using Strata.Engine;
using Strata.KvCache;
using Strata.Models;

namespace Strata.Cli;

/// <summary>How much KV cache memory the verbs take when they are not told.</summary>
internal static class EngineSizing
{
    /// <summary>The most a server takes by default: a large model with many sequences is capped here, not at their product.</summary>
    public const long DefaultKvCacheCap = 2L << 30;

    /// <summary>Engine settings for the one-prompt verbs: just enough KV memory for one full-context sequence.</summary>
    public static EngineOptions ForOneSequence(LoadedModel model, int threads, KvDataType kvType = KvDataType.F16)
    {
        var options = new EngineOptions { Threads = threads, MaxSequences = 1, KvDataType = kvType };
        return options with { KvCacheBytes = FullSequencesBytes(model, options, 1), MaxBatchedTokens = 512 };
    }

    /// <summary>
    /// A server's default KV memory: room for every one of <see cref="EngineOptions.MaxSequences"/> sequences at full
    /// length, but at most <see cref="DefaultKvCacheCap"/> (the 260K model needs a few MiB, not 2 GiB).
    /// </summary>
    public static long DefaultKvCacheBytes(LoadedModel model, EngineOptions options) =>
        Math.Min(DefaultKvCacheCap, FullSequencesBytes(model, options, options.MaxSequences));

    private static long FullSequencesBytes(LoadedModel model, EngineOptions options, int sequences)
    {
        var layout = model.Model.KvLayout(options.BlockSize, options.KvDataType);
        var length = options.MaxModelLength > 0 ? Math.Min(options.MaxModelLength, model.Config.ContextLength) : model.Config.ContextLength;
        var blocks = (length + options.BlockSize - 1) / options.BlockSize;
        return (long)sequences * blocks * layout.BlockBytes;
    }
}
