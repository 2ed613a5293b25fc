using System.CommandLine.Parsing;
using System.Globalization;

namespace Strata.Cli.Commands;

/// <summary>
/// The one spelling of a duration on the command line, for every option that takes one: a positive number with a unit
/// (200ms, 1.5s, 30m, 24h, 7d) or a .NET time span (hh:mm:ss).
/// </summary>
internal static class DurationOption
{
    public const string Examples = "500ms, 30s, 2m, 24h or 7d";

    /// <summary>The duration <paramref name="text"/> spells; null if it is not a positive one.</summary>
    public static TimeSpan? Parse(string text)
    {
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : text.EndsWith('d') ? (text[..^1], 86400.0)
            : (text, 0.0);
        if (scale > 0)
        {
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count > 0
                ? TimeSpan.FromSeconds(count * scale)
                : null;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
    }

    /// <summary>An option's custom parser: the duration, or an error naming the option.</summary>
    public static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Parse(text) is { } duration)
            return duration;
        result.AddError($"{((OptionResult)result.Parent!).Option.Name} must be a duration like {Examples}, got '{text}'");
        return null;
    }
}
