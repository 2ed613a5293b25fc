namespace Strata.KvCache.Remote;

/// <summary>What became of one block's read.</summary>
internal enum ReadOutcome
{
    /// <summary>Not read: its pipeline broke or was cancelled before its reply.</summary>
    NotRead,
    Hit,
    Miss,
    Rejected,
    Redirected,

    /// <summary>Read past a gap in the chain: drained, not copied or verified.</summary>
    Skipped,

    /// <summary>The server failed, timed out or answered with an error.</summary>
    Failed,

    /// <summary>Not asked: the server's breaker is open.</summary>
    Refused,
}
