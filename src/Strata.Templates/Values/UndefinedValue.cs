namespace Strata.Templates.Values;

/// <summary>
/// Jinja's default (non-strict) undefined: it prints as nothing, is false, iterates as empty, and
/// only fails when something is asked of it (attribute, item, call, arithmetic).
/// </summary>
internal sealed class UndefinedValue : Value
{
    private readonly string _hint;

    private UndefinedValue(string hint) => _hint = hint;

    public static UndefinedValue Named(string name) => new($"'{name}' is undefined");

    public static UndefinedValue MissingAttribute(Value owner, string name) =>
        new($"'{Describe(owner)}' has no attribute '{name}'");

    public static UndefinedValue MissingItem(Value owner, Value key) => key is StringValue s
        ? MissingAttribute(owner, s.Value)
        : new($"{Describe(owner)} has no element {key.ToRepr()}");

    public static UndefinedValue WithHint(string hint) => new(hint);

    public override string TypeName => "Undefined";

    public override bool IsTruthy => false;

    public override string ToStr() => "";

    public override string ToRepr() => "Undefined";

    public override IReadOnlyList<Value> Iterate() => [];

    public override int? Length => 0;

    public override Value? GetAttribute(string name) => throw Fail();

    public override Value? GetItem(Value key) => throw Fail();

    public override Value Call(Arguments arguments) => throw Fail();

    /// <summary>The error to raise when the undefined value is used.</summary>
    public TemplateRuntimeException Fail() => new(_hint);

    // Jinja's object_type_repr: "dict object", but plain "None" for None.
    private static string Describe(Value owner) => owner is NoneValue ? "None" : $"{owner.TypeName} object";

    // Jinja's Undefined.__eq__ is "same type": any two undefined values are equal.
    public override bool Equals(object? obj) => obj is UndefinedValue;

    public override int GetHashCode() => typeof(UndefinedValue).GetHashCode();
}
