using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace Strata.Cli.Commands;

/// <summary>The range checks the verbs share, so every bad value is refused in the same words.</summary>
internal static class OptionRules
{
    private const string AtLeastOne = "must be at least 1";

    /// <summary>Refuses values below 1 when the command line is parsed.</summary>
    public static Option<int> MustBePositive(this Option<int> option) => option.MustBe(v => v >= 1, AtLeastOne);

    /// <summary>Refuses values below 1 when the command line is parsed; left out, the option stays null (a default decided later).</summary>
    public static Option<int?> MustBePositive(this Option<int?> option)
    {
        AddRule(option, v => v >= 1, AtLeastOne);
        return option;
    }

    /// <summary>Refuses negative values when the command line is parsed.</summary>
    public static Option<int> MustNotBeNegative(this Option<int> option) => option.MustBe(v => v >= 0, "must not be negative");

    /// <summary>
    /// Refuses values outside <paramref name="valid"/> when the command line is parsed, in the words
    /// <c>--name RULE, got VALUE</c>. A value that is not a number at all is already an error of the parser's own.
    /// </summary>
    public static Option<int> MustBe(this Option<int> option, Func<int, bool> valid, string rule)
    {
        AddRule(option, valid, rule);
        return option;
    }

    private static void AddRule(Option option, Func<int, bool> valid, string rule) =>
        option.Validators.Add(r =>
        {
            if (r.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && !valid(value))
                r.AddError($"{option.Name} {rule}, got {value}");
        });

    /// <summary>For values checked after parsing (parts of a list, options that apply to one mode only).</summary>
    public static T Positive<T>(T value, string name) where T : INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{name} must be positive, got {value}");
}
