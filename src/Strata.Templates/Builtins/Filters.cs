using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>All filters by name. A name that is not here is an error only when the filter actually runs, as in Jinja.</summary>
internal static class Filters
{
    private static readonly Dictionary<string, Filter> Registry =
        new[] { StringFilters.All, SequenceFilters.All, ValueFilters.All }
            .SelectMany(group => group)
            .ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);

    public static bool Exists(string name) => Registry.ContainsKey(name);

    public static Value Apply(string name, Value input, Arguments arguments) =>
        Registry.TryGetValue(name, out var filter)
            ? filter(input, arguments)
            : throw new TemplateRuntimeException($"No filter named '{name}'.");
}
