using System.Net;
using System.Text.Json;
using Strata.TestSupport.Stores;

namespace Strata.Server.Tests;

/// <summary>The remote tier authenticates (Redis AUTH, ACL users); a store that refuses it only degrades the node.</summary>
public sealed class RemoteStoreAuthTests
{
    private const string Story = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends. " +
        "One day she saw a big red ball under a tree.";

    [Theory]
    [InlineData(null)]
    [InlineData("strata")]
    public async Task RightPassword_BlocksArePublishedAndReadinessHealthy(string? user)
    {
        using var store = StoreServer.StartWithPassword("s3cret pass", user);
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with
        {
            RemoteCacheUrl = $"redis://{user}:{Uri.EscapeDataString("s3cret pass")}@127.0.0.1:{store.Port}",
        });

        await server.GreedyTextAsync(Story, 4);
        await RunningServer.WaitUntilAsync(async () => await server.MetricAsync("strata_kv_tier_written_bytes_total{tier=\"remote\"}") > 0);

        var (status, body) = await server.ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("remote-store").GetProperty("status").GetString());
        using var client = store.Connect();
        Assert.NotEmpty(client.Keys());
    }

    [Fact]
    public async Task WrongPassword_RequestsSucceedAndTheTierReportsDegraded()
    {
        using var store = StoreServer.StartWithPassword("right");
        await using var server = await RunningServer.StartAsync(RunningServer.SmallEngine with { RemoteCacheUrl = $"redis://:wrong@127.0.0.1:{store.Port}" });

        var status = HttpStatusCode.OK;
        var body = default(JsonElement);
        for (var i = 0; i < 20 && (body.ValueKind == JsonValueKind.Undefined || body.GetProperty("status").GetString() != "degraded"); i++)
        {
            Assert.NotEmpty(await server.GreedyTextAsync($"{i}. {Story}", 4));
            (status, body) = await server.ReadyAsync();
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("degraded", body.GetProperty("checks").GetProperty("remote-store").GetProperty("status").GetString());
        Assert.Equal(1, await server.MetricAsync("strata_kv_remote_breaker_open"));
        using var client = store.Connect();
        Assert.Empty(client.Keys());
    }
}
