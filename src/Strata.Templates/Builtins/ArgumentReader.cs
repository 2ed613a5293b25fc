using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>Typed reads of builtin arguments, failing with Python's TypeError wording.</summary>
internal static class ArgumentReader
{
    /// <summary>A string argument, or null when it was omitted or None.</summary>
    public static string? OptionalString(this Arguments arguments, int position, string name) =>
        arguments.Find(position, name) switch
        {
            null or NoneValue => null,
            StringValue s => s.Value,
            var other => throw new TemplateRuntimeException($"{name} must be str or None, not {other.TypeName}"),
        };

    public static string RequiredString(this Arguments arguments, int position, string name, string function) =>
        arguments.Required(position, name, function) is StringValue s
            ? s.Value
            : throw new TemplateRuntimeException($"{function}() argument '{name}' must be str, not {arguments.Find(position, name)!.TypeName}");

    public static long Integer(this Arguments arguments, int position, string name, long fallback) =>
        arguments.Find(position, name) switch
        {
            null or NoneValue => fallback,
            var value => Indexes.RequireInt(value, name),
        };

    public static long? OptionalInteger(this Arguments arguments, int position, string name) =>
        arguments.Find(position, name) switch
        {
            null or NoneValue => null,
            var value => Indexes.RequireInt(value, name),
        };

    public static bool Flag(this Arguments arguments, int position, string name, bool fallback) =>
        arguments.Find(position, name)?.IsTruthy ?? fallback;

    /// <summary>The strings of a str.join-style argument; every item must already be a string.</summary>
    public static IEnumerable<string> Strings(Value iterable, string function)
    {
        var items = iterable.Iterate() ?? throw new TemplateRuntimeException($"can only {function} an iterable");
        return items.Select((item, i) => item is StringValue s
            ? s.Value
            : throw new TemplateRuntimeException($"sequence item {i}: expected str instance, {item.TypeName} found"));
    }
}
