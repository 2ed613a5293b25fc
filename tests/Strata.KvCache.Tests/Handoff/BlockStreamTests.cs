using Strata.KvCache.Handoff;
using Strata.KvCache.Tests.Remote;

namespace Strata.KvCache.Tests.Handoff;

public sealed class BlockStreamTests
{
    private const int PayloadBytes = 256;

    [Fact]
    public async Task ReadAsync_WhatTheWriterWrote_GivesEveryBlockAndItsPayloadThenTheEnd()
    {
        var chain = TestChain.Create(3, PayloadBytes);
        using var stream = await WriteAsync(chain);
        var reader = new BlockStreamReader(chain.Fingerprint, TestChain.BlockTokens, PayloadBytes);

        for (var i = 0; i < 3; i++)
        {
            var payload = new byte[PayloadBytes];
            var block = await reader.ReadAsync(stream, payload, CancellationToken.None);
            Assert.NotNull(block);
            Assert.Equal(chain.Blocks[i].Key, block.Key);
            Assert.Equal(chain.Blocks[i].Parent, block.Parent);
            Assert.Equal(chain.Blocks[i].Tokens, block.Tokens);
            Assert.Equal(chain.Payloads[i], payload);
        }
        Assert.Null(await reader.ReadAsync(stream, new byte[PayloadBytes], CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_AFlippedPayloadBit_FailsItsChecksum()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var stream = await WriteAsync(chain);
        stream.GetBuffer()[stream.Length - 10] ^= 1;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(chain.Fingerprint, stream, TestChain.BlockTokens, PayloadBytes));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public async Task ReadAsync_AnotherCachesBlocks_AreRefusedAsForeign()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var stream = await WriteAsync(chain);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(TestChain.FingerprintOf("model-b"), stream, TestChain.BlockTokens, PayloadBytes));
        Assert.Contains("another cache", error.Message);
    }

    [Fact]
    public async Task ReadAsync_BlocksOfAnotherLayout_SayWhatDiffers()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var stream = await WriteAsync(chain);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(chain.Fingerprint, stream, TestChain.BlockTokens, PayloadBytes / 2));
        Assert.Contains($"hold 16 tokens in {PayloadBytes} bytes", error.Message);
    }

    [Fact]
    public async Task ReadAsync_AStreamCutInsideABlock_IsAnError()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var whole = await WriteAsync(chain);
        using var cut = new MemoryStream(whole.ToArray()[..(int)(whole.Length - 20)]);

        await Assert.ThrowsAsync<EndOfStreamException>(() => Read(chain.Fingerprint, cut, TestChain.BlockTokens, PayloadBytes));
    }

    [Fact]
    public async Task ReadAsync_ABlockWhoseTokensDoNotMakeItsKey_IsRefused()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        var forged = chain.Blocks[0] with { Tokens = [.. chain.Blocks[0].Tokens.Select(t => t + 1)] };
        using var stream = new MemoryStream();
        await new BlockStreamWriter(chain.Fingerprint).WriteAsync(stream, forged, chain.Payloads[0], CancellationToken.None);
        stream.Position = 0;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(chain.Fingerprint, stream, TestChain.BlockTokens, PayloadBytes));
        Assert.Contains("not the block its tokens make", error.Message);
    }

    private static async Task<MemoryStream> WriteAsync(TestChain chain)
    {
        var stream = new MemoryStream();
        var writer = new BlockStreamWriter(chain.Fingerprint);
        for (var i = 0; i < chain.Blocks.Count; i++)
            await writer.WriteAsync(stream, chain.Blocks[i], chain.Payloads[i], CancellationToken.None);
        stream.Position = 0;
        return stream;
    }

    private static async Task Read(byte[] fingerprint, Stream stream, int blockSize, int payloadBytes) =>
        await new BlockStreamReader(fingerprint, blockSize, payloadBytes).ReadAsync(stream, new byte[payloadBytes], CancellationToken.None);
}
