using System.Runtime.InteropServices;

namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Sorts latency samples ascending. A long simulation has a hundred million inter-token gaps, which a comparison sort
/// takes seconds over; non-negative doubles order as their bit patterns do, so a radix sort over those bits gives the
/// very same array in a few passes. Other inputs (negative, −0 or NaN, or few samples) go to <see cref="Array.Sort(Array)"/>.
/// </summary>
internal static class SampleSort
{
    private const int RadixFrom = 1 << 16;
    private const int DigitBits = 11;
    private const int Digits = 1 << DigitBits;
    private const int Passes = (64 + DigitBits - 1) / DigitBits;

    public static void Sort(double[] samples)
    {
        var keys = MemoryMarshal.Cast<double, ulong>(samples.AsSpan());
        if (samples.Length < RadixFrom || !AllNonNegative(keys))
        {
            Array.Sort(samples);
            return;
        }
        // Every pass's digit counts at once; a pass whose digit is the same for every key moves nothing and is skipped.
        var counts = new int[Passes * Digits];
        foreach (var key in keys)
        {
            for (var pass = 0; pass < Passes; pass++)
                counts[pass * Digits + (int)((key >> (pass * DigitBits)) & (Digits - 1))]++;
        }
        Span<ulong> from = keys;
        Span<ulong> to = new ulong[keys.Length];
        for (var pass = 0; pass < Passes; pass++)
        {
            var digitCounts = counts.AsSpan(pass * Digits, Digits);
            if (digitCounts.Contains(keys.Length))
                continue;
            // Counts become each digit's first slot; a stable scatter keeps the lower digits' order.
            var next = 0;
            for (var d = 0; d < Digits; d++)
                (digitCounts[d], next) = (next, next + digitCounts[d]);
            var shift = pass * DigitBits;
            foreach (var key in from)
                to[digitCounts[(int)((key >> shift) & (Digits - 1))]++] = key;
            var swap = from;
            from = to;
            to = swap;
        }
        if (from != keys)
            from.CopyTo(keys);
    }

    /// <summary>Whether every key is a double from +0 to +∞ (sign bit clear, not NaN), whose bits order as its value.</summary>
    private static bool AllNonNegative(ReadOnlySpan<ulong> keys)
    {
        const ulong PositiveInfinity = 0x7FF0_0000_0000_0000;
        foreach (var key in keys)
        {
            if (key > PositiveInfinity)
                return false;
        }
        return true;
    }
}
