namespace Strata.Templates.Values;

/// <summary>Python's <c>bool</c>: prints "True"/"False" and, like Python, equals the ints 1 and 0.</summary>
internal sealed class BoolValue : Value
{
    public static readonly BoolValue True = new(true);
    public static readonly BoolValue False = new(false);

    private BoolValue(bool value) => Value = value;

    public bool Value { get; }

    public static BoolValue Of(bool value) => value ? True : False;

    public override string TypeName => "bool";

    public override bool IsTruthy => Value;

    public override string ToStr() => Value ? "True" : "False";

    public override bool Equals(object? obj) => obj switch
    {
        BoolValue b => b.Value == Value,
        IntValue i => i.Value == (Value ? 1 : 0),
        FloatValue f => f.Value == (Value ? 1 : 0),
        _ => false,
    };

    public override int GetHashCode() => ((double)(Value ? 1 : 0)).GetHashCode();
}
