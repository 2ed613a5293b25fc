using Strata.KvCache.Remote;

namespace Strata.KvCache.Tests.Remote;

public sealed class RemoteStoreOptionsTests
{
    [Fact]
    public void Parse_ServerList_ReadsEveryEndpoint()
    {
        var options = RemoteStoreOptions.Parse("redis://cache-a:7000, 10.0.0.2:7001,[::1]:7002,cache-b");

        Assert.Equal(
            [new RemoteEndpoint("cache-a", 7000), new("10.0.0.2", 7001), new("::1", 7002), new("cache-b", 6379)],
            options.Endpoints);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.OperationTimeout);
        Assert.Equal("[::1]:7002", options.Endpoints[2].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("cache:6379")]
    [InlineData("http://cache:6379")]
    [InlineData("rediss://cache:6379")]
    [InlineData("redis://")]
    [InlineData("redis://cache:0")]
    [InlineData("redis://cache:65536")]
    [InlineData("redis://cache:port")]
    [InlineData("redis://cache:6379,,other:6379")]
    [InlineData("redis://user:secret@cache:6379")]
    [InlineData("redis://cache:6379/2")]
    [InlineData("redis://::1:6379")]
    [InlineData("redis://[::1:6379")]
    public void Parse_Malformed_ThrowsArgumentExceptionNamingTheUrl(string url)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => RemoteStoreOptions.Parse(url));
        Assert.Contains("remote store", error.Message);
    }
}
