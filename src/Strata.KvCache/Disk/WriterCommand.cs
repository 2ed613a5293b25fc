namespace Strata.KvCache.Disk;

/// <summary>One item in the writer's queue: a record to append, or a flush waiting for everything queued before it to be durable.</summary>
internal readonly record struct WriterCommand(BlockRecord? Record, TaskCompletionSource? Durable);
