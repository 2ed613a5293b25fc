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
    [InlineData("redis://")]
    [InlineData("redis://cache:0")]
    [InlineData("redis://cache:65536")]
    [InlineData("redis://cache:port")]
    [InlineData("redis://cache:6379,,other:6379")]
    [InlineData("redis://secret@cache:6379")]
    [InlineData("redis://user:secret@cache:6379/2")]
    [InlineData("redis://cache:6379/2")]
    [InlineData("redis://::1:6379")]
    [InlineData("redis://[::1:6379")]
    public void Parse_Malformed_ThrowsArgumentExceptionNamingTheUrl(string url)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => RemoteStoreOptions.Parse(url));
        Assert.Contains("remote store", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Theory]
    [InlineData("redis://cache:6379", false, null, null)]
    [InlineData("redis://:p%40ss@cache:6379", false, null, "p@ss")]
    [InlineData("rediss://strata:pw:with:colons@cache:6380,cache-b:6380", true, "strata", "pw:with:colons")]
    [InlineData("REDISS://cache", true, null, null)]
    public void Parse_CredentialsAndTls_AreRead(string url, bool tls, string? user, string? password)
    {
        var options = RemoteStoreOptions.Parse(url);

        Assert.Equal(tls, options.UseTls);
        Assert.Equal(user, options.Username);
        Assert.Equal(password, options.Password);
        Assert.Equal("cache", options.Endpoints[0].Host);
    }

    [Fact]
    public void PasswordAndUrl_NeverPrinted()
    {
        var options = RemoteStoreOptions.Parse("rediss://strata:hunter2@cache:6380");

        Assert.DoesNotContain("hunter2", options.ToString());
        Assert.Equal("rediss://***@cache:6380", RemoteStoreOptions.Redact("rediss://strata:hunter2@cache:6380"));
        Assert.Equal("redis://cache:6379", RemoteStoreOptions.Redact("redis://cache:6379"));
    }
}
