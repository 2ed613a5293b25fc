using System.Globalization;

namespace Strata.Templates.Values;

/// <summary>Python's <c>int</c>, held in 64 bits (arithmetic that overflows is reported, not wrapped).</summary>
internal sealed class IntValue(long value) : Value
{
    private static readonly IntValue[] Small = Enumerable.Range(-8, 264).Select(i => new IntValue(i)).ToArray();

    public long Value { get; } = value;

    public static IntValue Of(long value) =>
        value is >= -8 and < 256 ? Small[value + 8] : new IntValue(value);

    public override string TypeName => "int";

    public override bool IsTruthy => Value != 0;

    public override string ToStr() => Value.ToString(CultureInfo.InvariantCulture);

    public override bool Equals(object? obj) => obj switch
    {
        IntValue i => i.Value == Value,
        FloatValue f => f.Value == Value,
        BoolValue b => (b.Value ? 1 : 0) == Value,
        _ => false,
    };

    public override int GetHashCode() => ((double)Value).GetHashCode();
}
