using Strata.KvCache;

namespace Strata.Models.Tests.QuantizedKv;

public sealed class KvLayoutTests
{
    [Theory]
    [InlineData(KvDataType.F16, 64, 128, 0, 0)]
    [InlineData(KvDataType.F32, 64, 256, 0, 0)]
    [InlineData(KvDataType.Q8_0, 64, 68, 64, 64)]
    [InlineData(KvDataType.Q4_0, 64, 36, 64, 64)]
    [InlineData(KvDataType.Q8_0, 128, 136, 128, 64)]
    [InlineData(KvDataType.Q8_0, 192, 204, 64, 64)]  // 192 = 3 · 64: keys rotated in 64s too
    [InlineData(KvDataType.Q4_0, 96, 54, 0, 0)]      // heads not a multiple of 64 are quantized but not rotated
    public void RowBytesAndRotations_FollowTheTypeAndHeadSize(KvDataType type, int headDim, int rowBytes, int keyRotation, int valueRotation)
    {
        var layout = new KvLayout(LayerCount: 2, KvHeadCount: 4, HeadDim: headDim, BlockSize: 16, type);
        Assert.Equal(rowBytes, layout.RowBytes);
        Assert.Equal(keyRotation, layout.KeyRotation);
        Assert.Equal(valueRotation, layout.ValueRotation);
        Assert.Equal(2L * 2 * 4 * 16 * rowBytes, layout.BlockBytes);
    }

    [Fact]
    public void RowBytes_QuantizedCacheOfNarrowHeads_SaysWhy()
    {
        var layout = new KvLayout(LayerCount: 5, KvHeadCount: 4, HeadDim: 8, BlockSize: 16, KvDataType.Q8_0);
        var error = Assert.Throws<ArgumentException>(() => layout.BlockBytes);
        Assert.Contains("heads are 8 wide", error.Message);
    }
}
