using System.Text;
using Strata.KvCache.Remote;

namespace Strata.KvCache.Tests.Remote;

public sealed class ChecksumTests
{
    [Fact]
    public void Crc16_CheckValue_MatchesXmodem() => Assert.Equal(0x31C3, Crc16.Compute("123456789"u8));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("somekey", 11058)]
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("bar{hash_tag}", 2515)]
    public void HashSlot_KnownKeys_MatchRedisCluster(string key, int slot) =>
        Assert.Equal(slot, HashSlot.Of(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void HashSlot_HashTag_HashesOnlyTheTag() =>
        Assert.Equal(HashSlot.Of("bar"u8), HashSlot.Of("foo{bar}zap"u8));
}
