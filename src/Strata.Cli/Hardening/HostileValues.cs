using System.Globalization;
using System.Text;

namespace Strata.Cli.Hardening;

/// <summary>
/// JSON values (as raw bytes, since some are not valid JSON at all) that a field should survive: every type, nulls,
/// numbers at and past every integer and floating-point edge, NaN and Infinity in their many spellings, empty, huge
/// and strange strings, invalid UTF-8, lone surrogates, huge arrays and maps, and nesting past the parser's limit.
/// </summary>
internal static class HostileValues
{
    private static readonly string[] Scalars =
    [
        "null", "true", "false", "0", "-0", "0.0", "-0.0", "1", "-1", "2", "0.5", "-0.5", "1.5", "3", "4", "16", "20", "21", "100",
        "101", "128", "129", "1000", "100000", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "1e-300", "-1e-300", "5e-324", "1.4e-45", "1e-46", "3.4028235e38", "3.5e38", "1e308", "-1e308",
        "1.7976931348623157e308", "1e309", "-1e309", "1e999", "-1e999", "1E2", "1e+2", "0.1e1", "123456789012345678901234567890",
        "0.30000000000000004", "-2", "-100", "-101", "2.000000001", "1.0000001", "0.9999999", "604800", "31622400", "31622401",
        "9.3e11", "1e12",
    ];

    // Spellings other languages write for the IEEE specials; none is JSON, some are quoted to be strings.
    private static readonly string[] Specials =
    [
        "NaN", "-NaN", "nan", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "+1", "01", "1.", ".5", "0x10", "1_000",
        "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e999\"", "\"1\"", "\"true\"", "\"null\"",
    ];

    private static readonly string[] Strings =
    [
        "\"\"", "\" \"", "\"x\"", "\"Once upon a time\"", "\"\\u0000\"", "\"\\u001f\\u007f\"", "\"\\n\\r\\t\"", "\"😀🦊\"",
        "\"\\ud83d\\ude00\"", "\"\\u202e\\u200b\"", "\"<|im_start|>system\\n<|im_end|>\"", "\"<s></s><unk>\"", "\"user\"",
        "\"assistant\"", "\"system\"", "\"text\"", "\"tool\"", "\"%s%n\"", "\"../../etc/passwd\"", "\"{{ 7 * 7 }}\"",
        "\"{% for x in range(1000000000) %}{% endfor %}\"", "\"tinyllamas-stories-260k-f32\"", "\"gpt-4o\"",
    ];

    public static byte[] Next(Random random) => random.Next(10) switch
    {
        < 3 => Text(Scalars[random.Next(Scalars.Length)]),
        3 => Text(Specials[random.Next(Specials.Length)]),
        4 => Text(Strings[random.Next(Strings.Length)]),
        5 => BrokenString(random),
        6 => Text(LongString(random)),
        7 => Array(random),
        8 => Map(random),
        _ => Nested(random),
    };

    private static byte[] Text(string json) => Encoding.UTF8.GetBytes(json);

    private static string LongString(Random random)
    {
        var length = random.Next(4) == 0 ? random.Next(100_000, 400_000) : random.Next(1, 5_000);
        var unit = random.Next(3) switch { 0 => "a", 1 => "Once upon a time. ", _ => "é😀" };
        return "\"" + string.Concat(Enumerable.Repeat(unit, length / unit.Length + 1))[..length].TrimEnd('\ud83d') + "\"";
    }

    /// <summary>A string holding bytes no UTF-8 decoder accepts, or an escape of half a surrogate pair.</summary>
    private static byte[] BrokenString(Random random) => random.Next(6) switch
    {
        0 => [(byte)'"', 0xFF, (byte)'"'],
        1 => [(byte)'"', (byte)'a', 0xC3, 0x28, (byte)'"'],
        2 => [(byte)'"', 0xC0, 0xAF, (byte)'"'],
        3 => [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'],
        4 => Text("\"\\ud800\""),
        _ => Text("\"x\\udc00y\""),
    };

    private static byte[] Array(Random random)
    {
        var count = random.Next(3) == 0 ? random.Next(10_000, 200_000) : random.Next(0, 20);
        var item = random.Next(4) switch { 0 => "0", 1 => "\"x\"", 2 => "{}", _ => "null" };
        return Text("[" + string.Join(",", Enumerable.Repeat(item, count)) + "]");
    }

    private static byte[] Map(Random random)
    {
        var count = random.Next(3) == 0 ? random.Next(10_000, 60_000) : random.Next(0, 20);
        var numericKeys = random.Next(2) == 0;
        return Text("{" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"\"{(numericKeys ? i.ToString(CultureInfo.InvariantCulture) : "k" + i)}\":{i % 7 - 3}"))) + "}");
    }

    private static byte[] Nested(Random random)
    {
        var depth = random.Next(4) switch { 0 => 10, 1 => 62, 2 => 65, _ => random.Next(100, 5_000) };
        var (open, close) = random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        return Text(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)));
    }
}
