using Strata.Templates.Python;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>The functions every template can call: Jinja's globals plus Hugging Face's raise_exception and strftime_now.</summary>
internal static class Globals
{
    // Jinja's sandbox refuses larger ranges, so a template cannot allocate without bound.
    private const int MaxRange = 100_000;

    private static readonly KeyValuePair<string, Value>[] Shared =
    [
        new("range", new FunctionValue("range", Range)),
        new("dict", new FunctionValue("dict", Dict)),
        new("namespace", new FunctionValue("namespace", Namespace)),
        new("joiner", new FunctionValue("joiner", Joiner)),
        new("raise_exception", new FunctionValue("raise_exception", RaiseException)),
    ];

    /// <summary>The globals for one rendering; <paramref name="clock"/> is what strftime_now reads.</summary>
    public static IEnumerable<KeyValuePair<string, Value>> Create(TimeProvider clock) =>
    [
        .. Shared,
        new("strftime_now", new FunctionValue("strftime_now", a =>
            StringValue.Of(Strftime.Format(clock.GetLocalNow(), a.RequiredString(0, "format", "strftime_now"))))),
    ];

    private static Value RaiseException(Arguments arguments) =>
        throw new TemplateRuntimeException(arguments.Find(0, "message")?.ToStr() ?? "the template raised an exception");

    private static Value Range(Arguments arguments)
    {
        var values = arguments.Positional.Select(v => Indexes.RequireInt(v, "range() argument")).ToArray();
        var (start, stop, step) = values switch
        {
            [var end] => (0L, end, 1L),
            [var from, var end] => (from, end, 1L),
            [var from, var end, var by] => (from, end, by),
            _ => throw new TemplateRuntimeException($"range expected 1 to 3 arguments, got {values.Length}"),
        };
        if (step == 0)
            throw new TemplateRuntimeException("range() arg 3 must not be zero");
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > MaxRange)
            throw new TemplateRuntimeException($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        var items = new List<Value>((int)Math.Max(0, count));
        for (var i = 0L; i < count; i++)
            items.Add(IntValue.Of(start + i * step));
        return new ListValue(items);
    }

    private static Value Dict(Arguments arguments)
    {
        var dict = arguments.Positional is [DictValue source] ? new DictValue(source.Entries) : new DictValue();
        foreach (var (name, value) in arguments.Named)
            dict.Entries[StringValue.Of(name)] = value;
        return dict;
    }

    private static Value Namespace(Arguments arguments)
    {
        var ns = new NamespaceValue();
        if (arguments.Positional is [DictValue source])
        {
            foreach (var (key, value) in source.Entries)
                ns.Attributes[key.ToStr()] = value;
        }
        foreach (var (name, value) in arguments.Named)
            ns.Attributes[name] = value;
        return ns;
    }

    // joiner(sep) returns a function that gives "" the first time and sep afterwards.
    private static Value Joiner(Arguments arguments)
    {
        var separator = arguments.Get(0, "sep", StringValue.Of(", "));
        var used = false;
        return new FunctionValue("joiner", _ =>
        {
            if (used)
                return separator;
            used = true;
            return StringValue.Empty;
        });
    }
}
