using System.Globalization;

namespace Strata.Server.Protocol;

/// <summary>
/// Range checks that fail as a 400 naming the parameter, worded like the OpenAI API's own errors. Every number a
/// request sends passes one of these before it becomes a count, a size, an index or a duration, so no value the
/// JSON can carry reaches an overflow further in.
/// </summary>
internal static class Require
{
    public static T AtLeast<T>(T value, T minimum, string param) where T : IComparable<T>, IFormattable =>
        value.CompareTo(minimum) >= 0 ? value : throw Invalid(param, $">= {Format(minimum)}", value);

    public static T Within<T>(T value, T minimum, T maximum, string param) where T : IComparable<T>, IFormattable =>
        value.CompareTo(minimum) >= 0 && value.CompareTo(maximum) <= 0
            ? value
            : throw Invalid(param, $"in [{Format(minimum)}, {Format(maximum)}]", value);

    public static double AboveZeroUpTo(double value, double maximum, string param) =>
        value > 0 && value <= maximum ? value : throw Invalid(param, $"in (0, {Format(maximum)}]", value);

    public static double AboveZeroUpToOne(double value, string param) => AboveZeroUpTo(value, 1, param);

    public static double AboveZero(double value, string param) =>
        value > 0 ? value : throw Invalid(param, "> 0", value);

    /// <summary>
    /// A checked value as the single-precision number the sampler works with. A value beyond single precision is
    /// refused; one too small for it keeps its sign instead of becoming zero, so it stays in the range it was checked
    /// against (<c>top_p: 1e-300</c> still means "only the most likely token").
    /// </summary>
    public static float Single(double value, string param)
    {
        var single = (float)value;
        if (float.IsInfinity(single))
            throw Invalid(param, $"in [{Format(-float.MaxValue)}, {Format(float.MaxValue)}]", value);
        return single == 0 && value != 0 ? float.Epsilon * Math.Sign(value) : single;
    }

    private static ApiException Invalid<T>(string param, string expected, T actual) where T : IFormattable =>
        ApiException.BadRequest($"Invalid '{param}': expected a value {expected}, but got {Format(actual)} instead.", param);

    private static string Format<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
