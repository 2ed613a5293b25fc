using Strata.Templates.Builtins;
using Strata.Templates.Python;

namespace Strata.Templates.Values;

/// <summary>
/// Python's <c>str</c>. Lengths and indexes count code points, as Python does, not UTF-16 units.
/// <see cref="IsMarkup"/> marks markupsafe's <c>Markup</c> (what <c>safe</c> and <c>escape</c>
/// return): it prints the same, but HTML-escapes plain strings combined with it, even with
/// autoescape off, and templates rendered by Hugging Face show that.
/// </summary>
internal sealed class StringValue(string value, bool isMarkup = false) : Value
{
    public static readonly StringValue Empty = new("");

    public string Value { get; } = value;

    public bool IsMarkup { get; } = isMarkup;

    public static StringValue Of(string value) => value.Length == 0 ? Empty : new StringValue(value);

    public static StringValue Markup(string value) => new(value, isMarkup: true);

    /// <summary>A string of the same kind as this one (Markup stays Markup).</summary>
    public StringValue Like(string value) => IsMarkup ? Markup(value) : Of(value);

    public override string TypeName => IsMarkup ? "Markup" : "str";

    public override bool IsTruthy => Value.Length > 0;

    public override string ToStr() => Value;

    public override string ToRepr() => IsMarkup ? $"Markup({PythonRepr.Quote(Value)})" : PythonRepr.Quote(Value);

    public override int? Length => CodePoints.Count(Value);

    // Iterating yields plain one-character strings, also for Markup.
    public override IReadOnlyList<Value> Iterate() => CodePoints.Split(Value).Select(c => (Value)new StringValue(c)).ToList();

    public override Value? GetAttribute(string name) => StringMethods.Bind(this, name);

    public override Value? GetItem(Value key)
    {
        if (!Indexes.TryGetInt(key, out var index))
            return null;
        var character = CodePoints.At(Value, index);
        return character is null ? null : Like(character);
    }

    public override bool Equals(object? obj) => obj is StringValue s && s.Value == Value;

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);
}
