using Strata.KvCache.Tests.Disk;

namespace Strata.KvCache.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void Compute_CheckString_MatchesTheCastagnoliCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Append_InPieces_EqualsTheWhole()
    {
        var data = TestBlocks.Payload(1, 2, 1000);

        var pieced = Crc32C.Append(Crc32C.Append(Crc32C.Compute(data.AsSpan(0, 13)), data.AsSpan(13, 600)), data.AsSpan(613));

        Assert.Equal(Crc32C.Compute(data), pieced);
    }
}
