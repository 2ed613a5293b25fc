using Strata.Templates.Python;

namespace Strata.Templates.Values;

/// <summary>Python's <c>float</c>: prints with Python's shortest repr ("1.0", "1e-05").</summary>
internal sealed class FloatValue(double value) : Value
{
    public double Value { get; } = value;

    public override string TypeName => "float";

    public override bool IsTruthy => Value != 0;

    public override string ToStr() => PythonFloat.Repr(Value);

    public override bool Equals(object? obj) => obj switch
    {
        FloatValue f => f.Value == Value,
        IntValue i => i.Value == Value,
        BoolValue b => (b.Value ? 1 : 0) == Value,
        _ => false,
    };

    public override int GetHashCode() => Value.GetHashCode();
}
