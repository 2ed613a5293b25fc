using Strata.Engine;
using Strata.KvCache;
using Strata.Models;

namespace Strata.Cli;

/// <summary>Engine settings for the one-prompt verbs: just enough KV memory for one full-context sequence.</summary>
internal static class EngineSizing
{
    public static EngineOptions ForOneSequence(LoadedModel model, int threads, KvDataType kvType = KvDataType.F16)
    {
        var options = new EngineOptions { Threads = threads, MaxSequences = 1, KvDataType = kvType };
        var layout = model.Model.KvLayout(options.BlockSize, options.KvDataType);
        var blocks = (model.Config.ContextLength + options.BlockSize - 1) / options.BlockSize;
        return options with { KvCacheBytes = blocks * layout.BlockBytes, MaxBatchedTokens = 512 };
    }
}
