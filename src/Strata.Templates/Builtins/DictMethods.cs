using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>The methods of Python's <c>dict</c> the sandbox allows (it refuses clear, pop, popitem, setdefault, update).</summary>
internal static class DictMethods
{
    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal) { "clear", "pop", "popitem", "setdefault", "update" };

    private static readonly Dictionary<string, Method<DictValue>> Methods = new(StringComparer.Ordinal)
    {
        ["keys"] = (d, _) => new ListValue([.. d.Entries.Keys]),
        ["values"] = (d, _) => new ListValue([.. d.Entries.Values]),
        ["items"] = (d, _) => Items(d),
        ["get"] = (d, a) => d.Entries.GetValueOrDefault(a.Required(0, "key", "get")) ?? a.Get(1, "default", NoneValue.Instance),
        ["copy"] = (d, _) => new DictValue(d.Entries),
    };

    public static Value? Bind(DictValue receiver, string name)
    {
        if (Refused.Contains(name))
            return Sandbox.Refused(receiver, name);
        return Methods.TryGetValue(name, out var method) ? new FunctionValue($"dict.{name}", a => method(receiver, a)) : null;
    }

    public static ListValue Items(DictValue dict) =>
        new(dict.Entries.Select(e => (Value)ListValue.Tuple(e.Key, e.Value)).ToList());
}
