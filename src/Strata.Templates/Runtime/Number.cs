using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>A value read as a Python number: an int (bool counts as one, as in Python) or a float.</summary>
internal readonly record struct Number(long Integer, double Float, bool IsFloat)
{
    public static bool TryRead(Value value, out Number number)
    {
        number = value switch
        {
            IntValue i => new Number(i.Value, i.Value, false),
            BoolValue b => new Number(b.Value ? 1 : 0, b.Value ? 1 : 0, false),
            FloatValue f => new Number(0, f.Value, true),
            _ => default,
        };
        return value is IntValue or BoolValue or FloatValue;
    }
}
