using System.Globalization;

namespace Strata.Server.Protocol;

/// <summary>Range checks that fail as a 400 naming the parameter, worded like the OpenAI API's own errors.</summary>
internal static class Require
{
    public static T AtLeast<T>(T value, T minimum, string param) where T : IComparable<T>, IFormattable =>
        value.CompareTo(minimum) >= 0 ? value : throw Invalid(param, $">= {Format(minimum)}", value);

    public static T Within<T>(T value, T minimum, T maximum, string param) where T : IComparable<T>, IFormattable =>
        value.CompareTo(minimum) >= 0 && value.CompareTo(maximum) <= 0
            ? value
            : throw Invalid(param, $"in [{Format(minimum)}, {Format(maximum)}]", value);

    public static double AboveZeroUpToOne(double value, string param) =>
        value > 0 && value <= 1 ? value : throw Invalid(param, "in (0, 1]", value);

    public static double AboveZero(double value, string param) =>
        value > 0 ? value : throw Invalid(param, "> 0", value);

    private static ApiException Invalid<T>(string param, string expected, T actual) where T : IFormattable =>
        ApiException.BadRequest($"Invalid '{param}': expected a value {expected}, but got {Format(actual)} instead.", param);

    private static string Format<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
