using System.CommandLine;
using System.Numerics;

namespace Strata.Cli.Commands;

/// <summary>The range checks the verbs share, so every bad value is refused in the same words.</summary>
internal static class OptionRules
{
    /// <summary>Refuses values below 1 when the command line is parsed.</summary>
    public static Option<int> MustBePositive(this Option<int> option)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 and var value) r.AddError($"{option.Name} must be at least 1, got {value}"); });
        return option;
    }

    /// <summary>Refuses negative values when the command line is parsed.</summary>
    public static Option<int> MustNotBeNegative(this Option<int> option)
    {
        option.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 and var value) r.AddError($"{option.Name} must not be negative, got {value}"); });
        return option;
    }

    /// <summary>For values checked after parsing (parts of a list, options that apply to one mode only).</summary>
    public static T Positive<T>(T value, string name) where T : INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{name} must be positive, got {value}");
}
