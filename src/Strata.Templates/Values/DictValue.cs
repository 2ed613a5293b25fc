using Strata.Templates.Builtins;

namespace Strata.Templates.Values;

/// <summary>Python's <c>dict</c>: insertion-ordered, keyed by value equality (so 1 and 1.0 are the same key).</summary>
internal sealed class DictValue : Value
{
    public DictValue()
    {
    }

    public DictValue(IEnumerable<KeyValuePair<Value, Value>> entries)
    {
        foreach (var (key, value) in entries)
            Entries[key] = value;
    }

    public OrderedDictionary<Value, Value> Entries { get; } = [];

    public override string TypeName => "dict";

    public override bool IsTruthy => Entries.Count > 0;

    public override string ToStr() => ToRepr();

    public override string ToRepr() =>
        "{" + string.Join(", ", Entries.Select(e => $"{e.Key.ToRepr()}: {e.Value.ToRepr()}")) + "}";

    public override int? Length => Entries.Count;

    public override IReadOnlyList<Value> Iterate() => Entries.Keys.ToList();

    // Jinja tries the attribute first for "d.name", so dict methods shadow keys of the same name.
    public override Value? GetAttribute(string name) => DictMethods.Bind(this, name);

    public override Value? GetItem(Value key) => Entries.GetValueOrDefault(key);

    public override bool Equals(object? obj) =>
        obj is DictValue other && other.Entries.Count == Entries.Count &&
        Entries.All(e => other.Entries.TryGetValue(e.Key, out var v) && v.Equals(e.Value));

    public override int GetHashCode() => Entries.Count;
}
