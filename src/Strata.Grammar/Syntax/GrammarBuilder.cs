using System.Text;

namespace Strata.Grammar.Syntax;

/// <summary>
/// Collects rules of a byte-level grammar: literals become their UTF-8 bytes, character classes become byte sets
/// (a rule of byte sequences where they reach beyond ASCII), and repetitions become helper rules.
/// </summary>
internal sealed class GrammarBuilder
{
    private const int MaxScalar = 0x10FFFF;

    private readonly List<string> _names = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly List<List<List<Element>>?> _definitions = [];
    private readonly List<ByteSet> _sets = [];
    private readonly Dictionary<ByteSet, int> _setIds = [];
    private readonly Dictionary<string, int> _classRules = new(StringComparer.Ordinal);

    /// <summary>The id of the rule called <paramref name="name"/>, defined now or later.</summary>
    public int Rule(string name)
    {
        if (_byName.TryGetValue(name, out var id))
            return id;
        id = _names.Count;
        _names.Add(name);
        _definitions.Add(null);
        _byName[name] = id;
        return id;
    }

    /// <summary>A new helper rule whose name starts with <paramref name="hint"/>.</summary>
    public int NewRule(string hint)
    {
        var suffix = _names.Count;
        while (_byName.ContainsKey($"{hint}-{suffix}"))
            suffix++;
        return Rule($"{hint}-{suffix}");
    }

    public string Name(int rule) => _names[rule];

    public void Define(int rule, List<List<Element>> alternatives)
    {
        if (_definitions[rule] is not null)
            throw new GrammarException($"rule '{_names[rule]}' is defined twice");
        _definitions[rule] = alternatives;
    }

    public int DefineNew(string hint, List<List<Element>> alternatives)
    {
        var rule = NewRule(hint);
        Define(rule, alternatives);
        return rule;
    }

    public Element Bytes(ByteSet set)
    {
        if (!_setIds.TryGetValue(set, out var id))
        {
            id = _sets.Count;
            _sets.Add(set);
            _setIds[set] = id;
        }
        return new Element(ElementKind.Bytes, id);
    }

    public void AppendLiteral(List<Element> sequence, string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
            sequence.Add(Bytes(ByteSet.Of(b)));
    }

    /// <summary>Appends a character class: scalar ranges (inclusive), or everything but them.</summary>
    public void AppendClass(List<Element> sequence, List<(int Low, int High)> ranges, bool negated)
    {
        var normalized = Normalize(ranges);
        if (negated)
            normalized = Complement(normalized);
        if (normalized.Count == 0)
            throw new GrammarException("a character class matches nothing");
        var ascii = default(ByteSet);
        var multiByte = new List<(byte Low, byte High)[]>();
        foreach (var (low, high) in normalized)
        {
            if (low < 0x80)
                ascii = ascii.Union(ByteSet.Range((byte)low, (byte)Math.Min(high, 0x7F)));
            if (high >= 0x80)
                Utf8Ranges.Split(Math.Max(low, 0x80), high, multiByte);
        }
        if (multiByte.Count == 0)
        {
            sequence.Add(Bytes(ascii));
            return;
        }
        var key = string.Join(",", normalized.Select(r => $"{r.Low:X}-{r.High:X}"));
        if (!_classRules.TryGetValue(key, out var rule))
        {
            var alternatives = new List<List<Element>>();
            if (!ascii.IsEmpty)
                alternatives.Add([Bytes(ascii)]);
            foreach (var ranges8 in multiByte)
                alternatives.Add([.. ranges8.Select(r => Bytes(ByteSet.Range(r.Low, r.High)))]);
            rule = DefineNew("char", alternatives);
            _classRules[key] = rule;
        }
        sequence.Add(new Element(ElementKind.Rule, rule));
    }

    /// <summary>Replaces <paramref name="item"/> (the last item of a sequence) by its repetition <c>{min,max}</c>; max -1 is unbounded.</summary>
    public List<Element> Repeat(List<Element> item, int min, int max, string hint)
    {
        var result = new List<Element>();
        for (var i = 0; i < min; i++)
            result.AddRange(item);
        if (max < 0)
        {
            // x* is R ::= x R | ε: right recursion, so matching never grows the stack.
            var star = NewRule(hint);
            Define(star, [[.. item, new Element(ElementKind.Rule, star)], []]);
            result.Add(new Element(ElementKind.Rule, star));
            return result;
        }
        if (max < min)
            throw new GrammarException($"repetition {{{min},{max}}} has its maximum below its minimum");
        // x{0,n} is (x (x (…)?)?)?: each optional copy nests the next.
        int? inner = null;
        for (var i = 0; i < max - min; i++)
        {
            List<Element> copy = [.. item];
            if (inner is { } next)
                copy.Add(new Element(ElementKind.Rule, next));
            inner = DefineNew(hint, [copy, []]);
        }
        if (inner is { } outer)
            result.Add(new Element(ElementKind.Rule, outer));
        return result;
    }

    public CompiledGrammar Build(string root)
    {
        if (!_byName.TryGetValue(root, out var rootId) || _definitions[rootId] is null)
            throw new GrammarException($"the grammar has no rule '{root}'");
        for (var i = 0; i < _definitions.Count; i++)
        {
            if (_definitions[i] is null)
                throw new GrammarException($"rule '{_names[i]}' is used but never defined");
        }
        var elements = new List<Element>();
        var alternatives = new int[_definitions.Count][];
        for (var rule = 0; rule < _definitions.Count; rule++)
        {
            var starts = new List<int>();
            foreach (var alternative in _definitions[rule]!)
            {
                starts.Add(elements.Count);
                elements.AddRange(alternative);
                elements.Add(new Element(ElementKind.End, 0));
            }
            alternatives[rule] = [.. starts];
        }
        return new CompiledGrammar([.. elements], alternatives, [.. _sets], [.. _names], rootId);
    }

    private static List<(int Low, int High)> Normalize(List<(int Low, int High)> ranges)
    {
        var sorted = ranges.Where(r => r.Low <= r.High).OrderBy(r => r.Low).ToList();
        var merged = new List<(int Low, int High)>();
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && r.Low <= merged[^1].High + 1)
                merged[^1] = (merged[^1].Low, Math.Max(merged[^1].High, r.High));
            else
                merged.Add(r);
        }
        return merged;
    }

    private static List<(int Low, int High)> Complement(List<(int Low, int High)> ranges)
    {
        var result = new List<(int Low, int High)>();
        var next = 0;
        foreach (var (low, high) in ranges)
        {
            if (low > next)
                result.Add((next, low - 1));
            next = high + 1;
        }
        if (next <= MaxScalar)
            result.Add((next, MaxScalar));
        return result;
    }
}
