using System.Net;
using System.Net.Sockets;
using Strata.Engine.Caching;
using Strata.KvCache.Prefix;

namespace Strata.Engine.Tests.Caching;

public sealed class RemoteTierTests
{
    private static readonly byte[] Fingerprint = new byte[32];

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void FromUrl_NoUrl_MeansNoRemoteTier(string? url) =>
        Assert.Null(RemoteTier.FromUrl(url, Fingerprint, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(50), _ => { }));

    [Fact]
    public void FromUrl_Malformed_ThrowsArgumentException() =>
        Assert.ThrowsAny<ArgumentException>(() => RemoteTier.FromUrl("redis://cache:notaport", Fingerprint, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(50), _ => { }));

    [Fact]
    public void Contains_StoreDown_TurnsFalseOnceTheBreakerOpens()
    {
        var log = new List<string>();
        using var source = RemoteTier.FromUrl($"redis://127.0.0.1:{UnusedPort()}", Fingerprint, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(50), log.Add)!;
        var tokens = Enumerable.Range(0, 16).ToArray();
        var block = new CachedBlock(BlockKey.Chain(BlockKey.Root(Fingerprint, ""), tokens), BlockKey.Root(Fingerprint, ""), tokens);

        Assert.Equal("remote", source.Name);
        Assert.True(source.Contains(block.Key));
        for (var i = 0; i < source.BlockStore.Options.FailuresToOpen; i++)
            Assert.Equal(0, source.ReadChain([block], [new byte[256]]));
        source.Store(block, new byte[256], DateTimeOffset.MaxValue);

        Assert.False(source.Contains(block.Key));
        Assert.Equal(1L, source.BlockStore.Stats.DroppedPublishes);
        Assert.Single(log);
    }

    private static int UnusedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
