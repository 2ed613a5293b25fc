using System.Globalization;
using System.Text;

namespace Strata.Grammar.Syntax;

/// <summary>
/// Reads llama.cpp's GBNF: <c>name ::= alternatives</c> rules, one per line (alternatives may continue across lines
/// inside parentheses); string literals, character classes (<c>[a-z]</c>, <c>[^"]</c>), <c>.</c>, rule references,
/// groups, and the postfix operators <c>*</c>, <c>+</c>, <c>?</c>, <c>{m}</c>, <c>{m,}</c>, <c>{m,n}</c>;
/// <c>#</c> starts a comment.
/// </summary>
internal sealed class GbnfParser
{
    private const int MaxRepetition = 10_000;

    private readonly string _text;
    private readonly GrammarBuilder _builder = new();
    private int _pos;

    private GbnfParser(string text) => _text = text;

    public static CompiledGrammar Parse(string text, string root)
    {
        var parser = new GbnfParser(text);
        parser.ParseRules();
        return parser._builder.Build(root);
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek => _text[_pos];

    private void ParseRules()
    {
        SkipSpace(newlines: true);
        if (AtEnd)
            throw Error("the grammar is empty");
        while (!AtEnd)
        {
            var name = ParseName();
            SkipSpace(newlines: false);
            if (!_text.AsSpan(_pos).StartsWith("::="))
                throw Error($"expected '::=' after rule name '{name}'");
            _pos += 3;
            SkipSpace(newlines: true);
            var rule = _builder.Rule(name);
            _builder.Define(rule, ParseAlternatives(name, nested: false));
            if (!AtEnd && Peek is not ('\n' or '\r'))
                throw Error($"unexpected '{Peek}'");
            SkipSpace(newlines: true);
        }
    }

    private List<List<Element>> ParseAlternatives(string rule, bool nested)
    {
        var alternatives = new List<List<Element>> { ParseSequence(rule, nested) };
        while (!AtEnd && Peek == '|')
        {
            _pos++;
            SkipSpace(newlines: true);
            alternatives.Add(ParseSequence(rule, nested));
        }
        return alternatives;
    }

    private List<Element> ParseSequence(string rule, bool nested)
    {
        var sequence = new List<Element>();
        var lastItem = -1;
        while (!AtEnd)
        {
            var c = Peek;
            if (c == '"')
            {
                lastItem = sequence.Count;
                _pos++;
                var literal = new StringBuilder();
                while (!AtEnd && Peek != '"')
                    AppendScalar(literal, ParseChar());
                Expect('"');
                _builder.AppendLiteral(sequence, literal.ToString());
            }
            else if (c == '[')
            {
                lastItem = sequence.Count;
                _pos++;
                var negated = !AtEnd && Peek == '^';
                if (negated)
                    _pos++;
                var ranges = new List<(int, int)>();
                while (!AtEnd && Peek != ']')
                {
                    var low = ParseChar();
                    var high = low;
                    if (_pos + 1 < _text.Length && Peek == '-' && _text[_pos + 1] != ']')
                    {
                        _pos++;
                        high = ParseChar();
                    }
                    ranges.Add((low, high));
                }
                Expect(']');
                _builder.AppendClass(sequence, ranges, negated);
            }
            else if (c == '.')
            {
                lastItem = sequence.Count;
                _pos++;
                _builder.AppendClass(sequence, [], negated: true);
            }
            else if (IsNameChar(c))
            {
                lastItem = sequence.Count;
                sequence.Add(new Element(ElementKind.Rule, _builder.Rule(ParseName())));
            }
            else if (c == '(')
            {
                lastItem = sequence.Count;
                _pos++;
                SkipSpace(newlines: true);
                var group = ParseAlternatives(rule, nested: true);
                Expect(')');
                sequence.Add(new Element(ElementKind.Rule, _builder.DefineNew(rule, group)));
            }
            else if (c is '*' or '+' or '?' or '{')
            {
                if (lastItem < 0)
                    throw Error($"'{c}' must follow an item");
                var (min, max) = ParseRepetition();
                var item = sequence[lastItem..];
                sequence.RemoveRange(lastItem, sequence.Count - lastItem);
                sequence.AddRange(_builder.Repeat(item, min, max, rule));
                lastItem = -1;
            }
            else
            {
                break;
            }
            SkipSpace(nested);
        }
        return sequence;
    }

    private (int Min, int Max) ParseRepetition()
    {
        var c = _text[_pos++];
        switch (c)
        {
            case '*':
                return (0, -1);
            case '+':
                return (1, -1);
            case '?':
                return (0, 1);
        }
        SkipSpace(newlines: false);
        var min = ParseInt();
        var max = min;
        SkipSpace(newlines: false);
        if (!AtEnd && Peek == ',')
        {
            _pos++;
            SkipSpace(newlines: false);
            max = !AtEnd && char.IsAsciiDigit(Peek) ? ParseInt() : -1;
            SkipSpace(newlines: false);
        }
        Expect('}');
        if (min > MaxRepetition || max > MaxRepetition)
            throw Error($"repetition counts above {MaxRepetition} are not supported");
        return (min, max);
    }

    private int ParseInt()
    {
        var start = _pos;
        while (!AtEnd && char.IsAsciiDigit(Peek))
            _pos++;
        if (start == _pos || !int.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw Error("expected a number");
        return value;
    }

    private string ParseName()
    {
        var start = _pos;
        while (!AtEnd && IsNameChar(Peek))
            _pos++;
        if (start == _pos)
            throw Error(AtEnd ? "expected a rule name at the end" : $"expected a rule name, got '{Peek}'");
        return _text[start.._pos];
    }

    /// <summary>One character of a literal or class, escapes decoded, as a Unicode scalar.</summary>
    private int ParseChar()
    {
        if (AtEnd)
            throw Error("unexpected end of grammar");
        var c = _text[_pos++];
        if (c != '\\')
        {
            if (char.IsHighSurrogate(c) && !AtEnd && char.IsLowSurrogate(Peek))
                return char.ConvertToUtf32(c, _text[_pos++]);
            return c;
        }
        if (AtEnd)
            throw Error("unexpected end of grammar after '\\'");
        var e = _text[_pos++];
        return e switch
        {
            'x' => ParseHex(2),
            'u' => ParseHex(4),
            'U' => ParseHex(8),
            't' => '\t',
            'r' => '\r',
            'n' => '\n',
            '\\' or '"' or '[' or ']' or '-' or '^' => e,
            _ => throw Error($"unknown escape '\\{e}'"),
        };
    }

    private int ParseHex(int digits)
    {
        if (_pos + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            || value > 0x10FFFF)
            throw Error($"expected {digits} hex digits");
        _pos += digits;
        return value;
    }

    private static void AppendScalar(StringBuilder text, int scalar)
    {
        if (scalar is >= 0xD800 and <= 0xDFFF)
            throw new GrammarException($"U+{scalar:X4} is a surrogate, not a character");
        text.Append(char.ConvertFromUtf32(scalar));
    }

    private void Expect(char c)
    {
        if (AtEnd || Peek != c)
            throw Error(AtEnd ? $"expected '{c}' before the end" : $"expected '{c}', got '{Peek}'");
        _pos++;
    }

    private void SkipSpace(bool newlines)
    {
        while (!AtEnd)
        {
            var c = Peek;
            if (c is ' ' or '\t' || (newlines && c is '\n' or '\r'))
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (!AtEnd && Peek is not ('\n' or '\r'))
                    _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private GrammarException Error(string message)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < Math.Min(_pos, _text.Length); i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new GrammarException($"grammar line {line}, column {column}: {message}");
    }
}
