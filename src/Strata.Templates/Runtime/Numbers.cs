using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>Reads a value as a Python number (bool counts as int, as in Python).</summary>
internal readonly record struct Numbers(long Integer, double Float, bool IsFloat)
{
    public static bool TryRead(Value value, out Numbers number)
    {
        number = value switch
        {
            IntValue i => new Numbers(i.Value, i.Value, false),
            BoolValue b => new Numbers(b.Value ? 1 : 0, b.Value ? 1 : 0, false),
            FloatValue f => new Numbers(0, f.Value, true),
            _ => default,
        };
        return value is IntValue or BoolValue or FloatValue;
    }
}
