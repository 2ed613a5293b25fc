using Strata.Templates.Python;
using Strata.Templates.Builtins;

namespace Strata.Templates.Values;

/// <summary>Python's <c>str</c>. Lengths and indexes count code points, as Python does, not UTF-16 units.</summary>
internal sealed class StringValue(string value) : Value
{
    public static readonly StringValue Empty = new("");

    public string Value { get; } = value;

    public static StringValue Of(string value) => value.Length == 0 ? Empty : new StringValue(value);

    public override string TypeName => "str";

    public override bool IsTruthy => Value.Length > 0;

    public override string ToStr() => Value;

    public override string ToRepr() => PythonRepr.Quote(Value);

    public override int? Length => CodePoints.Count(Value);

    public override IReadOnlyList<Value> Iterate() => CodePoints.Split(Value).Select(c => (Value)new StringValue(c)).ToList();

    public override Value? GetAttribute(string name) => StringMethods.Bind(this, name);

    public override Value? GetItem(Value key)
    {
        if (!Indexes.TryGetInt(key, out var index))
            return null;
        var character = CodePoints.At(Value, index);
        return character is null ? null : new StringValue(character);
    }

    public override bool Equals(object? obj) => obj is StringValue s && s.Value == Value;

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);
}
