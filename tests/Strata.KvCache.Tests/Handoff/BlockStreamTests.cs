using System.Buffers;
using Strata.KvCache.Prefix;
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
        using var stream = Write(chain, chain.Blocks);
        var reader = new BlockStreamReader(chain.Fingerprint, TestChain.BlockTokens, PayloadBytes);

        for (var i = 0; i < 3; i++)
        {
            var payload = new byte[PayloadBytes];
            var block = await reader.ReadAsync(stream, payload, CancellationToken.None);
            Assert.NotNull(block);
            Assert.Equal(chain.Blocks[i].Key, block.Key);
            Assert.Equal(chain.Blocks[i].Parent, block.Parent);
            Assert.Equal(chain.Blocks[i].Tokens.ToArray(), block.Tokens.ToArray());
            Assert.Equal(chain.Payloads[i], payload);
        }
        Assert.Null(await reader.ReadAsync(stream, new byte[PayloadBytes], CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_AFlippedPayloadBit_FailsItsChecksum()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var stream = Write(chain, chain.Blocks);
        stream.GetBuffer()[stream.Length - 10] ^= 1;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(chain.Fingerprint, stream, TestChain.BlockTokens, PayloadBytes));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public async Task ReadAsync_AnotherCachesBlocks_AreRefusedAsForeign()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var stream = Write(chain, chain.Blocks);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(TestChain.FingerprintOf("model-b"), stream, TestChain.BlockTokens, PayloadBytes));
        Assert.Contains("another cache", error.Message);
    }

    [Fact]
    public async Task ReadAsync_BlocksOfAnotherLayout_SayWhatDiffers()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var stream = Write(chain, chain.Blocks);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(chain.Fingerprint, stream, TestChain.BlockTokens, PayloadBytes / 2));
        Assert.Contains($"hold 16 tokens in {PayloadBytes} bytes", error.Message);
    }

    [Fact]
    public async Task ReadAsync_AStreamCutInsideABlock_IsAnError()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        using var whole = Write(chain, chain.Blocks);
        using var cut = new MemoryStream(whole.ToArray()[..(int)(whole.Length - 20)]);

        await Assert.ThrowsAsync<EndOfStreamException>(() => Read(chain.Fingerprint, cut, TestChain.BlockTokens, PayloadBytes));
    }

    [Fact]
    public async Task ReadAsync_ABlockWhoseTokensDoNotMakeItsKey_IsRefused()
    {
        var chain = TestChain.Create(1, PayloadBytes);
        var forged = chain.Blocks[0] with { Tokens = chain.Blocks[0].Tokens.ToArray().Select(t => t + 1).ToArray() };
        using var stream = Write(chain, forged);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Read(chain.Fingerprint, stream, TestChain.BlockTokens, PayloadBytes));
        Assert.Contains("not the block its tokens make", error.Message);
    }

    private static MemoryStream Write(TestChain chain, params IReadOnlyList<CachedBlock> blocks)
    {
        var written = new ArrayBufferWriter<byte>();
        var writer = new BlockStreamWriter(chain.Fingerprint, TestChain.BlockTokens, PayloadBytes);
        for (var i = 0; i < blocks.Count; i++)
        {
            var payload = chain.Payloads[i];
            writer.Write(written, blocks[i], destination => payload.CopyTo(destination));
        }
        Assert.Equal(blocks.Count * writer.RecordBytes, written.WrittenCount);
        var bytes = written.WrittenSpan.ToArray();
        return new MemoryStream(bytes, 0, bytes.Length, writable: true, publiclyVisible: true);
    }

    private static async Task Read(byte[] fingerprint, Stream stream, int blockSize, int payloadBytes) =>
        await new BlockStreamReader(fingerprint, blockSize, payloadBytes).ReadAsync(stream, new byte[payloadBytes], CancellationToken.None);
}
