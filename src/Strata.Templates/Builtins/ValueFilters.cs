using System.Globalization;
using Strata.Templates.Python;
using Strata.Templates.Runtime;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>Filters that convert or replace a value: default, int, float, round, abs, attr, tojson.</summary>
internal static class ValueFilters
{
    public static IEnumerable<KeyValuePair<string, Filter>> All =>
    [
        new("default", Default),
        new("d", Default),
        new("int", ToInt),
        new("float", ToFloat),
        new("round", Round),
        new("abs", Abs),
        new("attr", (v, a) => v.GetAttribute(a.RequiredString(0, "name", "attr")) ?? UndefinedValue.MissingAttribute(v, a.RequiredString(0, "name", "attr"))),
        new("tojson", ToJson),
    ];

    // default(value, default_value='', boolean=False): with boolean, any false value is replaced too.
    private static Value Default(Value input, Arguments arguments)
    {
        var replace = input is UndefinedValue || (arguments.Flag(1, "boolean", false) && !input.IsTruthy);
        return replace ? arguments.Get(0, "default_value", StringValue.Empty) : input;
    }

    // "42.23" | int is 42: Jinja falls back to int(float(value)), then to the default.
    private static Value ToInt(Value input, Arguments arguments)
    {
        var fallback = arguments.Get(0, "default", IntValue.Of(0));
        var numberBase = (int)arguments.Integer(1, "base", 10);
        switch (input)
        {
            case IntValue:
                return input;
            case BoolValue b:
                return IntValue.Of(b.Value ? 1 : 0);
            case FloatValue f:
                return double.IsFinite(f.Value) ? IntValue.Of(checked((long)Math.Truncate(f.Value))) : fallback;
            case StringValue s:
                var text = s.Value.Trim().Replace("_", "", StringComparison.Ordinal);
                if (TryParseInteger(text, numberBase, out var integer))
                    return IntValue.Of(integer);
                return TryParseFloat(s.Value, out var number) && double.IsFinite(number) ? IntValue.Of(checked((long)Math.Truncate(number))) : fallback;
            default:
                return fallback;
        }
    }

    private static Value ToFloat(Value input, Arguments arguments)
    {
        var fallback = arguments.Get(0, "default", new FloatValue(0));
        return input switch
        {
            FloatValue => input,
            IntValue i => new FloatValue(i.Value),
            BoolValue b => new FloatValue(b.Value ? 1 : 0),
            StringValue s when TryParseFloat(s.Value, out var number) => new FloatValue(number),
            _ => fallback,
        };
    }

    // round(value, precision=0, method='common'|'ceil'|'floor'); Python's round() breaks ties to even.
    private static Value Round(Value input, Arguments arguments)
    {
        if (!Number.TryRead(input, out var number))
            throw new TemplateRuntimeException($"type {input.TypeName} doesn't define __round__ method");
        var precision = (int)arguments.Integer(0, "precision", 0);
        var method = arguments.Get(1, "method", StringValue.Of("common")).ToStr();
        var scale = Math.Pow(10, precision);
        var result = method switch
        {
            "common" when !number.IsFloat => number.Integer,
            "common" => precision >= 0 && precision <= 15
                ? Math.Round(number.Float, precision, MidpointRounding.ToEven)
                : Math.Round(number.Float * scale, MidpointRounding.ToEven) / scale,
            "ceil" => Math.Ceiling(number.Float * scale) / scale,
            "floor" => Math.Floor(number.Float * scale) / scale,
            _ => throw new TemplateRuntimeException("method must be 'common', 'ceil' or 'floor'"),
        };
        return method == "common" && !number.IsFloat ? input : new FloatValue(result);
    }

    private static Value Abs(Value input, Arguments arguments)
    {
        if (!Number.TryRead(input, out var number))
            throw new TemplateRuntimeException($"bad operand type for abs(): '{input.TypeName}'");
        return number.IsFloat ? new FloatValue(Math.Abs(number.Float)) : IntValue.Of(checked(Math.Abs(number.Integer)));
    }

    // Hugging Face replaces Jinja's tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
    private static Value ToJson(Value input, Arguments arguments)
    {
        var indent = arguments.Find(1, "indent") switch
        {
            null or NoneValue => null,
            StringValue s => s.Value,
            var width => new string(' ', (int)Math.Max(0, Indexes.RequireInt(width, "indent"))),
        };
        (string, string)? separators = arguments.Find(2, "separators") switch
        {
            null or NoneValue => null,
            ListValue { Items: [StringValue item, StringValue key] } => (item.Value, key.Value),
            _ => throw new TemplateRuntimeException("separators must be a pair of strings"),
        };
        var options = JsonDumpOptions.Create(arguments.Flag(0, "ensure_ascii", false), indent, separators, arguments.Flag(3, "sort_keys", false));
        return StringValue.Of(PythonJson.Dumps(input, options));
    }

    private static bool TryParseInteger(string text, int numberBase, out long value)
    {
        value = 0;
        if (numberBase == 10)
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        try
        {
            var negative = text.StartsWith('-');
            var digits = text.TrimStart('+', '-');
            if (numberBase == 16 && digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                digits = digits[2..];
            value = Convert.ToInt64(digits, numberBase) * (negative ? -1 : 1);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>Python's <c>float(str)</c>: surrounding whitespace, underscores, "inf" and "nan" are accepted.</summary>
    private static bool TryParseFloat(string text, out double value)
    {
        var trimmed = PythonStrings.Strip(text, null).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var unsigned = trimmed.TrimStart('+', '-');
        var sign = trimmed.StartsWith('-') ? -1 : 1;
        switch (unsigned)
        {
            case "inf" or "infinity":
                value = sign * double.PositiveInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
