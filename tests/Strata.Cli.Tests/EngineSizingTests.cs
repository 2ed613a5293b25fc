using Strata.Engine;
using Strata.Models;
using Strata.TestSupport;

namespace Strata.Cli.Tests;

public sealed class EngineSizingTests
{
    [Fact]
    public void DefaultKvCacheBytes_SmallModel_HoldsEverySequenceAtFullLengthAndNoMore()
    {
        using var model = LoadedModel.Load(SharedData.Model("tinyllamas-stories-260k-f32.gguf"));
        var options = new EngineOptions { MaxSequences = 8 };
        var blockBytes = model.Model.KvLayout(options.BlockSize, options.KvDataType).BlockBytes;
        var blocksPerSequence = (model.Config.ContextLength + options.BlockSize - 1) / options.BlockSize;

        Assert.Equal(8L * blocksPerSequence * blockBytes, EngineSizing.DefaultKvCacheBytes(model, options));
        Assert.Equal(blocksPerSequence * blockBytes, EngineSizing.DefaultKvCacheBytes(model, options with { MaxSequences = 1 }));
        Assert.True(EngineSizing.DefaultKvCacheBytes(model, new EngineOptions()) < 64L << 20, "the 260K model must not take hundreds of MiB by default");
    }

    [Fact]
    public void DefaultKvCacheBytes_ManySequences_IsCapped()
    {
        using var model = LoadedModel.Load(SharedData.Model("tinyllamas-stories-260k-f32.gguf"));

        Assert.Equal(EngineSizing.DefaultKvCacheCap, EngineSizing.DefaultKvCacheBytes(model, new EngineOptions { MaxSequences = 1_000_000 }));
    }
}
