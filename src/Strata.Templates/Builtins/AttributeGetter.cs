using System.Globalization;
using Strata.Templates.Runtime;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>
/// Jinja's <c>make_attrgetter</c>: the <c>attribute=</c> argument of map, sort, selectattr and
/// friends, a dotted path ("function.name", "0") looked up item-first on each element.
/// </summary>
internal static class AttributeGetter
{
    public static Func<Value, Value> Create(Value? attribute, Value? fallback = null, bool ignoreCase = false)
    {
        var path = attribute switch
        {
            null or NoneValue => [],
            StringValue s => s.Value.Split('.').Select(Part).ToArray(),
            var other => [other],
        };
        return item =>
        {
            foreach (var part in path)
                item = Access.GetItem(item, part);
            if (fallback is not null && item is UndefinedValue)
                item = fallback;
            return ignoreCase ? IgnoreCase(item) : item;
        };
    }

    /// <summary>Jinja's <c>ignore_case</c>: strings compare lower-cased, everything else as is.</summary>
    public static Value IgnoreCase(Value value) =>
        value is StringValue s ? StringValue.Of(s.Value.ToLowerInvariant()) : value;

    private static Value Part(string part) =>
        long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? IntValue.Of(index) : StringValue.Of(part);
}
