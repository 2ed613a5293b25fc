using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Strata.KvCache.Disk;

/// <summary>
/// Reclaims dead space LSM-style: copies the live records of the planned segments, byte for byte and checksum
/// verified, into new segments, fsyncs them, swaps them into the catalog and the manifest, then deletes the old
/// files. A crash before the manifest swap leaves the new files unlisted (deleted on open); after it, the old ones.
/// A reader racing a move reads either the old file (still there, or still open) or the new one, and checks the
/// record it gets, so it sees the right bytes or a miss.
/// </summary>
internal sealed class Compactor(StoreDirectory directory, StoreCatalog catalog, StoreCounters counters, long segmentBytes)
{
    /// <summary>Runs one pass, if any segment is worth rewriting.</summary>
    public void Run()
    {
        var plan = catalog.PlanCompaction();
        if (plan.IsEmpty)
            return;
        var outputs = new List<SegmentWriter>();
        List<RecordMove> moves;
        try
        {
            moves = CopyLiveRecords(plan, outputs);
            foreach (var output in outputs)
                output.Flush();
        }
        catch
        {
            foreach (var output in outputs)
                directory.DeleteSegment(output.SegmentId);
            throw;
        }
        finally
        {
            foreach (var output in outputs)
                output.Dispose();
        }
        catalog.ApplyCompaction(plan, moves, outputs.ToDictionary(o => o.SegmentId, o => o.Length));
        directory.WriteManifest(catalog);
        foreach (var segmentId in plan.SegmentIds)
            directory.DeleteSegment(segmentId);
        Interlocked.Increment(ref counters.Compactions);
    }

    private List<RecordMove> CopyLiveRecords(CompactionPlan plan, List<SegmentWriter> outputs)
    {
        var moves = new List<RecordMove>(plan.LiveRecords.Count);
        SafeFileHandle? source = null;
        var sourceId = -1L;
        var buffer = Array.Empty<byte>();
        try
        {
            foreach (var (entry, at) in plan.LiveRecords)
            {
                if (at.SegmentId != sourceId)
                {
                    source?.Dispose();
                    source = TryOpenSegment(at.SegmentId);
                    sourceId = at.SegmentId;
                }
                if (buffer.Length < at.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(at.Length);
                }
                var record = buffer.AsSpan(0, at.Length);
                if (source is null
                    || !FileRead.TryReadExactly(source, record, at.Offset)
                    || !RecordCodec.IsIntact(record, out var header) || header.Key != entry.Key)
                {
                    moves.Add(new RecordMove(entry, at, To: null));
                    continue;
                }
                var output = OutputWithRoomFor(outputs, at.Length);
                var offset = output.Append(record);
                moves.Add(new RecordMove(entry, at, new RecordLocation(output.SegmentId, offset, at.Length)));
            }
        }
        finally
        {
            source?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return moves;
    }

    // A segment file that has vanished lost its records; dropping them beats failing every pass on it.
    private SafeFileHandle? TryOpenSegment(long segmentId)
    {
        try
        {
            return directory.OpenSegment(segmentId);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private SegmentWriter OutputWithRoomFor(List<SegmentWriter> outputs, int recordLength)
    {
        if (outputs.Count > 0 && outputs[^1] is var last && (last.Length == 0 || last.Length + recordLength <= segmentBytes))
            return last;
        var output = SegmentWriter.Create(directory, catalog.NewSegmentId());
        outputs.Add(output);
        return output;
    }
}
