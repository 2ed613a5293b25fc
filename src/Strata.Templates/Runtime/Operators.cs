using Strata.Templates.Python;
using Strata.Templates.Syntax;
using Strata.Templates.Values;

namespace Strata.Templates.Runtime;

/// <summary>Python's arithmetic, comparison and membership operators over template values.</summary>
internal static class Operators
{
    public static Value Binary(BinaryOperator op, Value left, Value right)
    {
        FailIfUndefined(left);
        FailIfUndefined(right);
        return op switch
        {
            BinaryOperator.Add => Add(left, right),
            BinaryOperator.Subtract => Arithmetic(left, right, "-", (a, b) => checked(a - b), (a, b) => a - b),
            BinaryOperator.Multiply => Multiply(left, right),
            BinaryOperator.Divide => Divide(left, right),
            BinaryOperator.FloorDivide => Arithmetic(left, right, "//", FloorDivide, (a, b) => Math.Floor(a / NonZero(b))),
            BinaryOperator.Modulo => left is StringValue format
                ? format.Like(StringFormatting.Percent(format.Value, right, format.IsMarkup))
                : Arithmetic(left, right, "%", Modulo, FloatModulo),
            BinaryOperator.Power => Power(left, right),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an arithmetic operator"),
        };
    }

    public static Value Negate(Value operand)
    {
        FailIfUndefined(operand);
        if (!Number.TryRead(operand, out var n))
            throw new TemplateRuntimeException($"bad operand type for unary -: '{operand.TypeName}'");
        return n.IsFloat ? new FloatValue(-n.Float) : IntValue.Of(checked(-n.Integer));
    }

    public static Value Plus(Value operand)
    {
        FailIfUndefined(operand);
        if (!Number.TryRead(operand, out var n))
            throw new TemplateRuntimeException($"bad operand type for unary +: '{operand.TypeName}'");
        return n.IsFloat ? operand : IntValue.Of(n.Integer);
    }

    public static bool Compare(CompareOperator op, Value left, Value right) => op switch
    {
        CompareOperator.Equal => left.Equals(right),
        CompareOperator.NotEqual => !left.Equals(right),
        CompareOperator.Less => Order(left, right, "<") < 0,
        CompareOperator.LessOrEqual => Order(left, right, "<=") <= 0,
        CompareOperator.Greater => Order(left, right, ">") > 0,
        CompareOperator.GreaterOrEqual => Order(left, right, ">=") >= 0,
        CompareOperator.In => Contains(right, left),
        CompareOperator.NotIn => !Contains(right, left),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a comparison"),
    };

    /// <summary>Python's ordering: numbers with numbers, strings by code point, lists and tuples item by item.</summary>
    public static int Order(Value left, Value right, string op = "<")
    {
        FailIfUndefined(left);
        FailIfUndefined(right);
        if (Number.TryRead(left, out var a) && Number.TryRead(right, out var b))
            return a.IsFloat || b.IsFloat ? a.Float.CompareTo(b.Float) : a.Integer.CompareTo(b.Integer);
        if (left is StringValue ls && right is StringValue rs)
            return CompareCodePoints(ls.Value, rs.Value);
        if (left is ListValue ll && right is ListValue rl && ll.IsTuple == rl.IsTuple)
        {
            for (var i = 0; i < Math.Min(ll.Items.Count, rl.Items.Count); i++)
            {
                if (!ll.Items[i].Equals(rl.Items[i]))
                    return Order(ll.Items[i], rl.Items[i], op);
            }
            return ll.Items.Count.CompareTo(rl.Items.Count);
        }
        throw new TemplateRuntimeException($"'{op}' not supported between instances of '{left.TypeName}' and '{right.TypeName}'");
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(Value container, Value item)
    {
        switch (container)
        {
            case StringValue s:
                return item is StringValue needle
                    ? s.Value.Contains(needle.Value, StringComparison.Ordinal)
                    : throw new TemplateRuntimeException($"'in <string>' requires string as left operand, not {item.TypeName}");
            case DictValue d:
                return d.Entries.ContainsKey(item);
            case ListValue l:
                return l.Items.Contains(item);
            default:
                var items = container.Iterate()
                    ?? throw new TemplateRuntimeException($"argument of type '{container.TypeName}' is not iterable");
                return items.Contains(item);
        }
    }

    private static void FailIfUndefined(Value value)
    {
        if (value is UndefinedValue undefined)
            throw undefined.Fail();
    }

    private static Value Add(Value left, Value right)
    {
        switch (left, right)
        {
            case (StringValue a, StringValue b) when a.IsMarkup || b.IsMarkup:
                return StringValue.Markup(Html.EscapedText(a) + Html.EscapedText(b));
            case (StringValue a, StringValue b):
                return StringValue.Of(a.Value + b.Value);
            case (StringValue, _):
                throw new TemplateRuntimeException($"can only concatenate str (not \"{right.TypeName}\") to str");
            case (ListValue a, ListValue b) when a.IsTuple == b.IsTuple:
                return new ListValue([.. a.Items, .. b.Items], a.IsTuple);
            case (ListValue a, _):
                throw new TemplateRuntimeException($"can only concatenate {a.TypeName} (not \"{right.TypeName}\") to {a.TypeName}");
            default:
                return Arithmetic(left, right, "+", (a, b) => checked(a + b), (a, b) => a + b);
        }
    }

    private static Value Multiply(Value left, Value right)
    {
        switch (left, right)
        {
            case (StringValue s, _) when Indexes.TryGetInt(right, out var times):
                return s.Like(PythonStrings.Repeat(s.Value, times));
            case (_, StringValue s) when Indexes.TryGetInt(left, out var times):
                return s.Like(PythonStrings.Repeat(s.Value, times));
            case (ListValue l, _) when Indexes.TryGetInt(right, out var times):
                return new ListValue(Enumerable.Repeat(l.Items, (int)Math.Max(0, times)).SelectMany(i => i).ToList(), l.IsTuple);
            default:
                return Arithmetic(left, right, "*", (a, b) => checked(a * b), (a, b) => a * b);
        }
    }

    private static Value Divide(Value left, Value right)
    {
        if (!Number.TryRead(left, out var a) || !Number.TryRead(right, out var b))
            throw Unsupported("/", left, right);
        return new FloatValue(a.Float / NonZero(b.Float));
    }

    private static Value Power(Value left, Value right)
    {
        if (!Number.TryRead(left, out var a) || !Number.TryRead(right, out var b))
            throw Unsupported("**", left, right);
        if (a.IsFloat || b.IsFloat || b.Integer < 0)
            return new FloatValue(Math.Pow(a.Float, b.Float));
        var result = 1L;
        for (var i = 0L; i < b.Integer; i++)
            result = checked(result * a.Integer);
        return IntValue.Of(result);
    }

    private static Value Arithmetic(Value left, Value right, string symbol, Func<long, long, long> integers, Func<double, double, double> floats)
    {
        if (!Number.TryRead(left, out var a) || !Number.TryRead(right, out var b))
            throw Unsupported(symbol, left, right);
        return a.IsFloat || b.IsFloat ? new FloatValue(floats(a.Float, b.Float)) : IntValue.Of(integers(a.Integer, b.Integer));
    }

    private static long FloorDivide(long a, long b)
    {
        var quotient = a / NonZero(b);
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
    }

    // Python's % takes the sign of the divisor.
    private static long Modulo(long a, long b)
    {
        var remainder = a % NonZero(b);
        return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;
    }

    private static double FloatModulo(double a, double b)
    {
        var remainder = a % NonZero(b);
        return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;
    }

    private static long NonZero(long divisor) =>
        divisor != 0 ? divisor : throw new TemplateRuntimeException("integer division or modulo by zero");

    private static double NonZero(double divisor) =>
        divisor != 0 ? divisor : throw new TemplateRuntimeException("division by zero");

    private static TemplateRuntimeException Unsupported(string symbol, Value left, Value right) =>
        new($"unsupported operand type(s) for {symbol}: '{left.TypeName}' and '{right.TypeName}'");

    private static int CompareCodePoints(string a, string b)
    {
        if (!CodePoints.HasSurrogates(a) && !CodePoints.HasSurrogates(b))
            return Math.Sign(string.CompareOrdinal(a, b));
        using var left = CodePoints.Values(a).GetEnumerator();
        using var right = CodePoints.Values(b).GetEnumerator();
        while (true)
        {
            var hasLeft = left.MoveNext();
            var hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
                return hasLeft.CompareTo(hasRight);
            if (left.Current != right.Current)
                return left.Current.CompareTo(right.Current);
        }
    }
}
