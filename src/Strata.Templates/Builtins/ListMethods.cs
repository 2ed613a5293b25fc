using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>The methods of Python's <c>list</c> the sandbox allows (it refuses append, extend, insert, remove, reverse, sort).</summary>
internal static class ListMethods
{
    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal) { "append", "extend", "insert", "remove", "reverse", "sort" };

    private static readonly Dictionary<string, Method<ListValue>> Methods = new(StringComparer.Ordinal)
    {
        ["index"] = (l, a) => IndexOf(l, a.Required(0, "value", "index")),
        ["count"] = (l, a) => IntValue.Of(l.Items.Count(a.Required(0, "value", "count").Equals)),
        ["copy"] = (l, _) => new ListValue([.. l.Items], l.IsTuple),
        ["pop"] = Pop,
        ["clear"] = (l, _) =>
        {
            l.Items.Clear();
            return NoneValue.Instance;
        },
    };

    public static Value? Bind(ListValue receiver, string name)
    {
        if (receiver.IsTuple)
            return name is "index" or "count" ? new FunctionValue($"tuple.{name}", a => Methods[name](receiver, a)) : null;
        if (Refused.Contains(name))
            return Sandbox.Refused(receiver, name);
        return Methods.TryGetValue(name, out var method) ? new FunctionValue($"list.{name}", a => method(receiver, a)) : null;
    }

    private static IntValue IndexOf(ListValue list, Value value)
    {
        var index = list.Items.IndexOf(value);
        return index >= 0 ? IntValue.Of(index) : throw new TemplateRuntimeException($"{value.ToRepr()} is not in list");
    }

    private static Value Pop(ListValue list, Arguments arguments)
    {
        if (list.Items.Count == 0)
            throw new TemplateRuntimeException("pop from empty list");
        var index = arguments.Integer(0, "index", -1);
        if (index < 0)
            index += list.Items.Count;
        if (index < 0 || index >= list.Items.Count)
            throw new TemplateRuntimeException("pop index out of range");
        var item = list.Items[(int)index];
        list.Items.RemoveAt((int)index);
        return item;
    }
}
