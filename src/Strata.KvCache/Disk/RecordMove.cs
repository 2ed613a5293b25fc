namespace Strata.KvCache.Disk;

/// <summary>
/// What compaction did with one live record: copied it from <see cref="From"/> to <see cref="To"/>, or found it
/// corrupt (<see cref="To"/> is null). Applied only if the entry still points at <see cref="From"/>.
/// </summary>
internal readonly record struct RecordMove(IndexEntry Entry, RecordLocation From, RecordLocation? To);
