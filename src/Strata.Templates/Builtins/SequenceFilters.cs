using Strata.Templates.Runtime;
using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>Filters over sequences and mappings. Those that Jinja writes as generators return a <see cref="GeneratorValue"/>.</summary>
internal static class SequenceFilters
{
    public static IEnumerable<KeyValuePair<string, Filter>> All =>
    [
        new("length", (v, _) => Length(v)),
        new("count", (v, _) => Length(v)),
        new("first", (v, _) => Items(v).FirstOrDefault() ?? UndefinedValue.WithHint("No first item, sequence was empty.")),
        new("last", (v, _) => Items(v).LastOrDefault() ?? UndefinedValue.WithHint("No last item, sequence was empty.")),
        new("join", Join),
        new("list", (v, _) => new ListValue([.. Items(v)])),
        new("reverse", Reverse),
        new("sort", Sort),
        new("dictsort", DictSort),
        new("items", ItemPairs),
        new("unique", Unique),
        new("min", (v, a) => Extreme(v, a, smallest: true)),
        new("max", (v, a) => Extreme(v, a, smallest: false)),
        new("sum", Sum),
        new("map", Map),
        new("select", (v, a) => Select(v, a, "select", byAttribute: false, keep: true)),
        new("reject", (v, a) => Select(v, a, "reject", byAttribute: false, keep: false)),
        new("selectattr", (v, a) => Select(v, a, "selectattr", byAttribute: true, keep: true)),
        new("rejectattr", (v, a) => Select(v, a, "rejectattr", byAttribute: true, keep: false)),
        new("batch", Batch),
        new("slice", Slice),
    ];

    private static IReadOnlyList<Value> Items(Value value) =>
        value.Iterate() ?? throw new TemplateRuntimeException($"'{value.TypeName}' object is not iterable");

    private static Value Length(Value value) =>
        value.Length is { } length ? IntValue.Of(length) : throw new TemplateRuntimeException($"object of type '{value.TypeName}' has no len()");

    private static Value Join(Value input, Arguments arguments)
    {
        var separator = arguments.Get(0, "d", StringValue.Empty).ToStr();
        var items = Items(input).Select(AttributeGetter.Create(arguments.Find(1, "attribute")));
        return StringValue.Of(string.Join(separator, items.Select(i => i.ToStr())));
    }

    private static Value Reverse(Value input, Arguments arguments)
    {
        if (input is StringValue s)
            return s.Like(Python.CodePoints.Reverse(s.Value));
        var items = Items(input).ToList();
        items.Reverse();
        return new GeneratorValue("reversed", items);
    }

    private static Value Sort(Value input, Arguments arguments)
    {
        var reverse = arguments.Flag(0, "reverse", false);
        var caseSensitive = arguments.Flag(1, "case_sensitive", false);
        var key = AttributeGetter.Create(arguments.Find(2, "attribute"), ignoreCase: !caseSensitive);
        return new ListValue(Sorted(Items(input), key, reverse));
    }

    private static Value DictSort(Value input, Arguments arguments)
    {
        if (input is not DictValue dict)
            throw new TemplateRuntimeException("dictsort expects a mapping");
        var caseSensitive = arguments.Flag(0, "case_sensitive", false);
        var position = arguments.Get(1, "by", StringValue.Of("key")).ToStr() switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateRuntimeException("You can only sort by either \"key\" or \"value\""),
        };
        var reverse = arguments.Flag(2, "reverse", false);
        var pairs = DictMethods.Items(dict).Items;
        Value Key(Value pair)
        {
            var part = ((ListValue)pair).Items[position];
            return caseSensitive ? part : AttributeGetter.IgnoreCase(part);
        }
        return new ListValue(Sorted(pairs, Key, reverse));
    }

    // Python's sorted(): stable, also when reversed.
    private static List<Value> Sorted(IEnumerable<Value> items, Func<Value, Value> key, bool reverse)
    {
        var comparer = Comparer<Value>.Create((a, b) => Operators.Order(a, b));
        return (reverse ? items.OrderByDescending(key, comparer) : items.OrderBy(key, comparer)).ToList();
    }

    private static Value ItemPairs(Value input, Arguments arguments) => input switch
    {
        UndefinedValue => new GeneratorValue("do_items", []),
        DictValue dict => new GeneratorValue("do_items", DictMethods.Items(dict).Items),
        _ => throw new TemplateRuntimeException("Can only get item pairs from a mapping."),
    };

    private static Value Unique(Value input, Arguments arguments)
    {
        var caseSensitive = arguments.Flag(0, "case_sensitive", false);
        var key = AttributeGetter.Create(arguments.Find(1, "attribute"), ignoreCase: !caseSensitive);
        var seen = new HashSet<Value>();
        return new GeneratorValue("do_unique", Items(input).Where(item => seen.Add(key(item))).ToList());
    }

    private static Value Extreme(Value input, Arguments arguments, bool smallest)
    {
        var items = Items(input);
        if (items.Count == 0)
            return UndefinedValue.WithHint("No aggregated item, sequence was empty.");
        var caseSensitive = arguments.Flag(0, "case_sensitive", false);
        var key = AttributeGetter.Create(arguments.Find(1, "attribute"), ignoreCase: !caseSensitive);
        var best = items[0];
        foreach (var item in items.Skip(1))
        {
            var order = Operators.Order(key(item), key(best));
            if (smallest ? order < 0 : order > 0)
                best = item;
        }
        return best;
    }

    private static Value Sum(Value input, Arguments arguments)
    {
        var key = AttributeGetter.Create(arguments.Find(0, "attribute"));
        return Items(input).Select(key).Aggregate(arguments.Get(1, "start", IntValue.Of(0)),
            (total, item) => Operators.Binary(Syntax.BinaryOperator.Add, total, item));
    }

    // map(attribute='x', default=d) looks attributes up; map('filter', args...) applies another filter.
    private static Value Map(Value input, Arguments arguments)
    {
        if (!input.IsTruthy)
            return new GeneratorValue("sync_do_map", []);
        Func<Value, Value> transform;
        if (arguments.Positional.Count == 0 && arguments.Keyword("attribute") is { } attribute)
        {
            transform = AttributeGetter.Create(attribute, arguments.Keyword("default"));
        }
        else
        {
            var name = arguments.Positional.Count > 0 ? arguments.Positional[0].ToStr() : throw new TemplateRuntimeException("map requires a filter argument");
            var rest = arguments.SkipPositional(1);
            transform = item => Filters.Apply(name, item, rest);
        }
        return new GeneratorValue("sync_do_map", Items(input).Select(transform).ToList());
    }

    private static Value Select(Value input, Arguments arguments, string filter, bool byAttribute, bool keep)
    {
        if (!input.IsTruthy)
            return new GeneratorValue($"sync_do_{filter}", []);
        var offset = 0;
        var lookup = (Func<Value, Value>)(item => item);
        if (byAttribute)
        {
            if (arguments.Positional.Count == 0)
                throw new TemplateRuntimeException("Missing parameter for attribute name");
            lookup = AttributeGetter.Create(arguments.Positional[0]);
            offset = 1;
        }
        Func<Value, bool> test = item => item.IsTruthy;
        if (arguments.Positional.Count > offset)
        {
            var name = arguments.Positional[offset].ToStr();
            var rest = arguments.SkipPositional(offset + 1);
            test = item => TestPredicates.Apply(name, item, rest);
        }
        return new GeneratorValue($"sync_do_{filter}", Items(input).Where(item => test(lookup(item)) == keep).ToList());
    }

    private static Value Batch(Value input, Arguments arguments)
    {
        var size = (int)arguments.Integer(0, "linecount", 1);
        if (size <= 0)
            throw new TemplateRuntimeException("batch size must be positive");
        var fill = arguments.Find(1, "fill_with") is { } f and not NoneValue ? f : null;
        var batches = Items(input).Chunk(size).Select(chunk =>
        {
            var items = chunk.ToList();
            while (fill is not null && items.Count < size)
                items.Add(fill);
            return (Value)new ListValue(items);
        });
        return new GeneratorValue("do_batch", batches.ToList());
    }

    private static Value Slice(Value input, Arguments arguments)
    {
        var items = Items(input);
        var slices = (int)arguments.Integer(0, "slices", 1);
        if (slices <= 0)
            throw new TemplateRuntimeException("slices must be positive");
        var fill = arguments.Find(1, "fill_with") is { } f and not NoneValue ? f : null;
        var perSlice = items.Count / slices;
        var withExtra = items.Count % slices;
        var result = new List<Value>();
        var offset = 0;
        for (var number = 0; number < slices; number++)
        {
            var start = offset + number * perSlice;
            if (number < withExtra)
                offset++;
            var end = offset + (number + 1) * perSlice;
            var slice = items.Skip(start).Take(end - start).ToList();
            if (fill is not null && number >= withExtra)
                slice.Add(fill);
            result.Add(new ListValue(slice));
        }
        return new GeneratorValue("do_slice", result);
    }
}
