using System.Globalization;

namespace Strata.Cli;

/// <summary>
/// Parses sizes such as <c>2GiB</c>, <c>512MiB</c>, <c>1G</c>, <c>1.5GB</c> or plain bytes. The binary units (KiB, MiB, GiB,
/// TiB) and their one-letter forms (K, M, G, T) count in 1024s, as memory is sized; KB, MB, GB and TB count in 1000s.
/// </summary>
internal static class ByteSize
{
    private static readonly (string Suffix, double Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
        ("K", 1L << 10), ("M", 1L << 20), ("G", 1L << 30), ("T", 1L << 40),
        ("B", 1),
    ];

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var trimmed = text.Trim();
        var (suffix, factor) = Units.FirstOrDefault(u => trimmed.EndsWith(u.Suffix, StringComparison.OrdinalIgnoreCase), ("", 1));
        var number = trimmed[..^suffix.Length].TrimEnd();
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return false;
        var total = value * factor;
        if (total >= long.MaxValue)
            return false;
        bytes = (long)total;
        return true;
    }
}
