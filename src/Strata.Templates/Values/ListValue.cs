using Strata.Templates.Builtins;

namespace Strata.Templates.Values;

/// <summary>Python's <c>list</c>, or a <c>tuple</c> when <see cref="IsTuple"/> (which only changes printing and equality).</summary>
internal sealed class ListValue(List<Value> items, bool isTuple = false) : Value
{
    public List<Value> Items { get; } = items;

    public bool IsTuple { get; } = isTuple;

    public static ListValue Tuple(params Value[] items) => new([.. items], isTuple: true);

    public override string TypeName => IsTuple ? "tuple" : "list";

    public override bool IsTruthy => Items.Count > 0;

    public override string ToStr() => ToRepr();

    public override string ToRepr()
    {
        var inner = string.Join(", ", Items.Select(i => i.ToRepr()));
        if (!IsTuple)
            return $"[{inner}]";
        return Items.Count == 1 ? $"({inner},)" : $"({inner})";
    }

    public override int? Length => Items.Count;

    public override IReadOnlyList<Value> Iterate() => Items.ToList();

    public override Value? GetAttribute(string name) => ListMethods.Bind(this, name);

    public override Value? GetItem(Value key)
    {
        if (!Indexes.TryGetInt(key, out var index))
            return null;
        if (index < 0)
            index += Items.Count;
        return index >= 0 && index < Items.Count ? Items[(int)index] : null;
    }

    public override bool Equals(object? obj) =>
        obj is ListValue other && other.IsTuple == IsTuple && other.Items.SequenceEqual(Items);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
            hash.Add(item);
        return hash.ToHashCode();
    }
}
