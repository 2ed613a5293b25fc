using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Strata.KvCache.Remote;
using Xunit.Abstractions;

using Strata.TestSupport.Stores;

namespace Strata.KvCache.Tests.Remote;

[Collection(RemoteStoreCollection.Name)]
public sealed class RemoteStoreFailureTests(ITestOutputHelper output)
{
    /// <summary>The 50 ms deadline plus room for a two-core machine that other builds keep busy.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Publish_StoreStallsLongerThanTheReadDeadline_EveryBlockIsStillStored()
    {
        // A store briefly starved of CPU (a busy engine on the same cores) must not cost the blocks being published:
        // publishes run off the request path and wait up to PublishTimeout, not the 50 ms read deadline.
        // The read deadline stays at its 50 ms default; the publish patience is set well above the stall, so a
        // loaded machine (the stall is ended by spawning `kill`) cannot outlast it.
        using var server = StoreServer.Start();
        var options = RemoteStoreOptions.Parse(server.Url) with { PublishTimeout = TimeSpan.FromSeconds(5), Log = _ => { } };
        var chain = TestChain.Create(blocks: 24, payloadBytes: 256 * 1024);
        using var store = new RemoteBlockStore(options, chain.Fingerprint);

        var stall = server.StallAsync(TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < chain.Blocks.Count; i++)
            store.Publish(chain.Blocks[i], chain.Payloads[i]);
        await stall;

        Assert.True(store.WaitForPublishes(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, store.Stats.Errors);
        Assert.Equal(0, store.Stats.DroppedPublishes);
        Assert.Equal(chain.Blocks.Count, store.Stats.Published);
        // Read back without the 50 ms deadline, which a loaded machine can miss on its own.
        using var reader = new RemoteBlockStore(PatientOptions.For(server.Url), chain.Fingerprint);
        Assert.Equal(chain.Blocks.Count, reader.TryReadChain(chain.Blocks, chain.EmptyBuffers()));
    }

    [Fact]
    public void Operations_StoreKilledThenRestarted_StayPromptAndRecover()
    {
        using var server = StoreServer.Start();
        var log = new ConcurrentQueue<string>();
        var options = RemoteStoreOptions.Parse(server.Url) with
        {
            BreakerBackoff = TimeSpan.FromMilliseconds(100),
            BreakerMaxBackoff = TimeSpan.FromMilliseconds(400),
            Log = log.Enqueue,
        };
        var chain = TestChain.Create(blocks: 8, payloadBytes: 64 * 1024);
        using var store = new RemoteBlockStore(options, chain.Fingerprint);
        var read = new byte[64 * 1024];
        store.Publish(chain.Blocks[0], chain.Payloads[0]);
        Assert.True(store.WaitForPublishes(TimeSpan.FromSeconds(10)));
        Assert.True(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, read));

        server.Kill();
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        var operations = 0;
        var sawOpen = false;
        for (var i = 0; i < 40; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.False(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, read));
            slowest = Max(slowest, watch.Elapsed);
            watch.Restart();
            Assert.Equal(0, store.TryReadChain(chain.Blocks, chain.EmptyBuffers()));
            slowest = Max(slowest, watch.Elapsed);
            watch.Restart();
            store.Publish(chain.Blocks[1], chain.Payloads[1]);
            store.IsAvailable(chain.Blocks[1].Key);
            slowest = Max(slowest, watch.Elapsed);
            operations += 3;
            sawOpen |= store.Stats.Breaker == BreakerState.Open;
            total.Stop();
            Thread.Sleep(10);
            total.Start();
        }
        var mean = total.Elapsed / operations;
        output.WriteLine($"store down: mean operation {mean.TotalMilliseconds:F3} ms, slowest {slowest.TotalMilliseconds:F2} ms; {store.Stats}");
        Assert.True(mean < TimeSpan.FromMilliseconds(25), $"operations with the store down took {mean.TotalMilliseconds:F1} ms on average");
        Assert.True(sawOpen);
        Assert.True(slowest < Prompt, $"slowest operation with the store down took {slowest.TotalMilliseconds:F1} ms");
        Assert.True(store.Stats.Errors >= options.FailuresToOpen);
        // 120 operations against a dead store, one log line: the outage is reported once, not per request.
        Assert.Single(log);
        Assert.Contains("is unreachable", log.Single());

        server.Restart();
        var recovered = Stopwatch.StartNew();
        var hit = false;
        while (!hit && recovered.Elapsed < TimeSpan.FromSeconds(10))
        {
            store.Publish(chain.Blocks[1], chain.Payloads[1]);
            store.WaitForPublishes(TimeSpan.FromSeconds(1));
            hit = store.TryRead(chain.Blocks[1].Key, chain.Blocks[1].Tokens.Span, read);
            Thread.Sleep(20);
        }

        output.WriteLine($"hits resumed {recovered.Elapsed.TotalMilliseconds:F0} ms after the restart");
        Assert.True(hit, "hits never resumed after the restart");
        Assert.Equal(chain.Payloads[1], read);
        var stats = store.Stats;
        Assert.Equal(BreakerState.Closed, stats.Breaker);
        Assert.True(stats.BreakerClosings >= 1);
        Assert.EndsWith("is reachable again", log.Last());
    }

    [Fact]
    public void Operations_ServerThatNeverAnswers_GiveUpAtTheDeadline()
    {
        using var silent = Listen(out var port);
        var chain = TestChain.Create(blocks: 4, payloadBytes: 4096);
        using var store = new RemoteBlockStore(RemoteStoreOptions.Parse($"redis://127.0.0.1:{port}") with { Log = _ => { } }, chain.Fingerprint);

        var watch = Stopwatch.StartNew();
        Assert.False(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, new byte[4096]));
        var single = watch.Elapsed;
        watch.Restart();
        Assert.Equal(0, store.TryReadChain(chain.Blocks, chain.EmptyBuffers()));
        var pipelined = watch.Elapsed;

        Assert.InRange(single, TimeSpan.FromMilliseconds(45), Prompt);
        Assert.InRange(pipelined, TimeSpan.FromMilliseconds(45), Prompt);
        Assert.True(store.Stats.Errors >= 2);
    }

    [Fact]
    public void Constructor_DoesNoIo_ConnectsOnFirstUse()
    {
        using var listener = Listen(out var port);
        var chain = TestChain.Create(blocks: 1, payloadBytes: 4096);

        using var store = new RemoteBlockStore(RemoteStoreOptions.Parse($"redis://127.0.0.1:{port}") with { Log = _ => { } }, chain.Fingerprint);
        Assert.False(listener.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead), "the constructor connected");

        store.IsAvailable(chain.Blocks[0].Key);
        Assert.False(listener.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead), "IsAvailable connected");

        store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, new byte[4096]);
        Assert.True(listener.Poll(TimeSpan.Zero, SelectMode.SelectRead));
    }

    [Fact]
    public void Operations_NothingListening_MissFastAndOpenTheBreaker()
    {
        var port = FreePort();
        var chain = TestChain.Create(blocks: 2, payloadBytes: 4096);
        using var store = new RemoteBlockStore(RemoteStoreOptions.Parse($"redis://127.0.0.1:{port}") with { Log = _ => { } }, chain.Fingerprint);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
            Assert.False(store.TryRead(chain.Blocks[0].Key, chain.Blocks[0].Tokens.Span, new byte[4096]));

        Assert.True(watch.Elapsed < Prompt);
        Assert.Equal(BreakerState.Open, store.Stats.Breaker);
        Assert.False(store.IsAvailable(chain.Blocks[0].Key));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>A listener whose backlog completes connections that nobody ever reads from or answers.</summary>
    private static Socket Listen(out int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        return listener;
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
