namespace Strata.Cli.Tests;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("64k", 64L << 10)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2GB", 2_000_000_000)]
    [InlineData("100 MB", 100_000_000)]
    [InlineData("4096", 4096)]
    [InlineData("4096B", 4096)]
    public void TryParse_Size_Bytes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("-1GiB")]
    [InlineData("two")]
    [InlineData("1.5.2M")]
    [InlineData("99999999999TiB")]
    public void TryParse_NotASize_False(string text) => Assert.False(ByteSize.TryParse(text, out _));
}
