using Strata.Templates.Python;
using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>
/// Jinja's lookups: <c>x.name</c> tries the attribute, then the item; <c>x[key]</c> tries the item,
/// then (for a string key) the attribute. A failed lookup is undefined, not an error.
/// </summary>
internal static class Access
{
    public static Value GetAttribute(Value target, string name) =>
        target.GetAttribute(name) ?? target.GetItem(StringValue.Of(name)) ?? UndefinedValue.MissingAttribute(target, name);

    public static Value GetItem(Value target, Value key) =>
        target.GetItem(key) ?? (key is StringValue s ? target.GetAttribute(s.Value) : null) ?? UndefinedValue.MissingItem(target, key);

    public static Value Slice(Value target, Value? start, Value? stop, Value? step)
    {
        var (from, to, by) = (Bound(start), Bound(stop), Bound(step));
        return target switch
        {
            StringValue s => s.Like(CodePoints.Slice(s.Value, from, to, by)),
            ListValue l => new ListValue(PythonSlice.Indices(l.Items.Count, from, to, by).Select(i => l.Items[i]).ToList(), l.IsTuple),
            UndefinedValue u => throw u.Fail(),
            _ => UndefinedValue.WithHint($"'{target.TypeName}' object is not subscriptable"),
        };
    }

    private static long? Bound(Value? value) => value switch
    {
        null or NoneValue => null,
        _ => Indexes.TryGetInt(value, out var i) ? i : throw new TemplateRuntimeException("slice indices must be integers or None"),
    };
}
