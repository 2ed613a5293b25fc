namespace Strata.Simulation.Workloads;

/// <summary>
/// Token ids for traces that give only lengths and block hashes: a hashed block's tokens are a fixed function of its
/// hash, so requests that share a hash share the tokens (and so the cached KV); other tokens are a function of the
/// request's index, so no two requests share them by chance.
/// </summary>
internal static class TraceTokens
{
    private const int Vocabulary = 32_000;

    public static int OfBlock(long hash, int position) => Token(Mix((ulong)hash * 0x9E3779B97F4A7C15UL ^ (ulong)position));

    public static int Unique(long request, int position) => Token(Mix(((ulong)request << 24) ^ (ulong)position ^ 0x5DEECE66DUL << 40));

    private static int Token(ulong mixed) => 1 + (int)(mixed % (Vocabulary - 1));

    /// <summary>SplitMix64's finalizer.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
