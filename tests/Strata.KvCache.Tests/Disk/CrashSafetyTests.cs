using Strata.KvCache.Disk;

namespace Strata.KvCache.Tests.Disk;

/// <summary>
/// Damage one segment the ways a crash or a bad disk does, reopen, and check that every intact block is still served
/// byte for byte and no damaged one ever is. Each case runs on a sealed segment (recovery trusts headers, reads
/// verify) and on an unsealed one (the segment being appended to at the crash: recovery verifies every record).
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private const int Blocks = 3;
    private const int PayloadBytes = 32;
    private static readonly int RecordLength = TestBlocks.RecordLength(PayloadBytes);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string ManifestPath => Path.Combine(_directory.Path, ManifestFile.FileName);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_LastRecordTruncatedAtEveryByte_ServesOnlyTheIntactBlocks(bool sealedSegment)
    {
        var segment = await WriteBlocksAsync(sealedSegment);
        var pristine = File.ReadAllBytes(segment);
        var manifest = File.ReadAllBytes(ManifestPath);

        for (var cut = pristine.Length - RecordLength; cut < pristine.Length; cut++)
        {
            File.WriteAllBytes(segment, pristine[..cut]);
            File.WriteAllBytes(ManifestPath, manifest);
            AssertReopenedStoreServes(intact: [0, 1]);
        }
    }

    [Theory]
    [InlineData(0, true)] // magic
    [InlineData(0, false)]
    [InlineData(5, true)] // version
    [InlineData(5, false)]
    [InlineData(9, true)] // sequence
    [InlineData(9, false)]
    [InlineData(20, true)] // key
    [InlineData(20, false)]
    [InlineData(61, true)] // payload length
    [InlineData(61, false)]
    [InlineData(65, true)] // header checksum
    [InlineData(65, false)]
    [InlineData(73, true)] // tokens
    [InlineData(73, false)]
    [InlineData(90, true)] // payload
    [InlineData(90, false)]
    [InlineData(-2, true)] // record checksum
    [InlineData(-2, false)]
    public async Task Open_BitFlipInMiddleRecord_ServesTheOthersButNeverIt(int offsetInRecord, bool sealedSegment)
    {
        var segment = await WriteBlocksAsync(sealedSegment);
        var bytes = File.ReadAllBytes(segment);
        var position = offsetInRecord >= 0 ? RecordLength + offsetInRecord : 2 * RecordLength + offsetInRecord;
        bytes[position] ^= 0x10;
        File.WriteAllBytes(segment, bytes);

        var stats = AssertReopenedStoreServes(intact: [0, 2]);

        Assert.True(stats.CorruptRecordsDropped >= 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_ZeroFilledTail_ServesEveryBlock(bool sealedSegment)
    {
        var segment = await WriteBlocksAsync(sealedSegment);
        using (var file = File.OpenWrite(segment))
            file.SetLength(file.Length + 4096);

        AssertReopenedStoreServes(intact: [0, 1, 2]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_LastRecordZeroedInPlace_ServesTheOthers(bool sealedSegment)
    {
        var segment = await WriteBlocksAsync(sealedSegment);
        var bytes = File.ReadAllBytes(segment);
        bytes.AsSpan(2 * RecordLength).Clear();
        File.WriteAllBytes(segment, bytes);

        AssertReopenedStoreServes(intact: [0, 1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_GarbageAppended_ServesEveryBlock(bool sealedSegment)
    {
        var segment = await WriteBlocksAsync(sealedSegment);
        var garbage = TestBlocks.Payload(7, 7, 3000);
        "SKVB"u8.CopyTo(garbage.AsSpan(100)); // a stray magic must not pass for a record
        using (var file = new FileStream(segment, FileMode.Append))
            file.Write(garbage);

        AssertReopenedStoreServes(intact: [0, 1, 2]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_LargeRecordWithDamagedHeader_FindsTheNextRecordAcrossReadChunks(bool sealedSegment)
    {
        // This size puts record 1's magic (at 262 143) across 1 + 4 × 64 KiB, where a search for it in back-to-back
        // 64 KiB reads from offset 1 would cut it in two: the scanner's reads must overlap.
        const int payloadBytes = 262_059;
        var segment = await WriteBlocksAsync(sealedSegment, payloadBytes);
        var bytes = File.ReadAllBytes(segment);
        bytes[30] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        AssertReopenedStoreServes(intact: [1, 2], payloadBytes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_LargeRecordDamagedDeepInItsPayload_ServesTheOthersButNeverIt(bool sealedSegment)
    {
        const int payloadBytes = 200_000;
        var segment = await WriteBlocksAsync(sealedSegment, payloadBytes);
        var bytes = File.ReadAllBytes(segment);
        bytes[TestBlocks.RecordLength(payloadBytes) + 150_000] ^= 0x80;
        File.WriteAllBytes(segment, bytes);

        AssertReopenedStoreServes(intact: [0, 2], payloadBytes);
    }

    [Fact]
    public async Task Open_AfterTornTail_LaterWritesSurviveTheNextReopen()
    {
        var segment = await WriteBlocksAsync(sealedSegment: false);
        File.WriteAllBytes(segment, File.ReadAllBytes(segment)[..^10]);

        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
            await TestBlocks.WriteAsync(store, TestBlocks.Record(3, payloadBytes: PayloadBytes));

        using var reopened = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        foreach (var index in new[] { 0, 1, 3 })
        {
            Assert.True(reopened.TryRead(TestBlocks.Key(index), out var read));
            TestBlocks.AssertIntact(read, index, PayloadBytes);
        }
        Assert.False(reopened.TryRead(TestBlocks.Key(2), out _));
        reopened.CheckIntegrity();
    }

    [Fact]
    public async Task TryRead_RecordCorruptedWhileOpen_IsDroppedFromTheIndexAndCounted()
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, Blocks).Select(i => TestBlocks.Record(i, payloadBytes: PayloadBytes))]);
        var segment = Assert.Single(_directory.SegmentFiles());
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            file.Position = RecordLength + 90;
            var value = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(value ^ 1));
        }

        Assert.True(store.Contains(TestBlocks.Key(1)));
        Assert.False(store.TryRead(TestBlocks.Key(1), out _));

        Assert.False(store.Contains(TestBlocks.Key(1)));
        Assert.Equal((1L, 1L), (store.Stats.CorruptRecordsDropped, store.Stats.Misses));
        Assert.True(store.TryRead(TestBlocks.Key(2), out var intact));
        TestBlocks.AssertIntact(intact, 2, PayloadBytes);
    }

    /// <summary>Writes the test blocks into one segment and closes the store; unsealed turns it back into a crash-time segment.</summary>
    private async Task<string> WriteBlocksAsync(bool sealedSegment, int payloadBytes = PayloadBytes)
    {
        using (var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path)))
            await TestBlocks.WriteAsync(store, [.. Enumerable.Range(0, Blocks).Select(i => TestBlocks.Record(i, payloadBytes: payloadBytes))]);
        if (!sealedSegment)
        {
            Assert.Equal(ManifestFile.ReadStatus.Valid, ManifestFile.TryRead(_directory.Path, out var entries));
            ManifestFile.Write(_directory.Path, [.. entries.Select(e => e with { IsSealed = false })]);
        }
        return Assert.Single(_directory.SegmentFiles());
    }

    private DiskStoreStats AssertReopenedStoreServes(int[] intact, int payloadBytes = PayloadBytes)
    {
        using var store = DiskBlockStore.Open(TestBlocks.Options(_directory.Path));
        store.CheckIntegrity();
        for (var index = 0; index < Blocks; index++)
        {
            var found = store.TryRead(TestBlocks.Key(index), out var read);
            if (intact.Contains(index))
            {
                Assert.True(found, $"intact block {index} was not served");
                TestBlocks.AssertIntact(read!, index, payloadBytes);
            }
            else
            {
                Assert.False(found, $"damaged block {index} was served");
            }
        }
        return store.Stats;
    }
}
