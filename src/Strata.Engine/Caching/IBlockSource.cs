using Strata.KvCache.Prefix;

namespace Strata.Engine.Caching;

/// <summary>
/// A tier below the working pool that can hand back a block's payload by key. The rules: <see cref="Contains"/> is a
/// cheap index probe that may be wrong (a later read can still miss); <see cref="TryRead"/> may block on I/O, runs
/// off the engine thread, and returns true only for a block whose stored tokens equal <paramref name="tokens"/>.
/// </summary>
internal interface IBlockSource
{
    string Name { get; }

    bool Contains(BlockKey key);

    bool TryRead(BlockKey key, ReadOnlySpan<int> tokens, Span<byte> payload);
}
