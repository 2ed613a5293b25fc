using System.Globalization;
using System.Text;
using Strata.Templates.Python;

namespace Strata.Templates.Syntax;

/// <summary>
/// Splits a template into tokens, applying whitespace control the way Hugging Face configures
/// Jinja: <c>trim_blocks</c> (drop the newline after a block tag), <c>lstrip_blocks</c> (drop the
/// indentation before a block tag), "-" and "+" markers on tags, and no trailing newline kept.
/// </summary>
internal sealed class Lexer
{
    // Longest first, so "//" wins over "/".
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    private readonly string _source;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _line = 1;

    // Whether the last consumed tag ended a line: lstrip_blocks then also applies to text without a newline.
    private bool _lineStarting = true;

    private Lexer(string source) => _source = source;

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(Normalize(source));
        try
        {
            lexer.Run();
        }
        catch (Exception e) when (e is not TemplateException)
        {
            throw new TemplateException($"cannot read the template: {e.Message}", lexer._line, e);
        }
        lexer._tokens.Add(new Token(TokenKind.EndOfInput, "", lexer._line));
        return lexer._tokens;
    }

    /// <summary>Jinja reads "\r\n" and "\r" as "\n" and, without keep_trailing_newline, drops one final newline.</summary>
    private static string Normalize(string source)
    {
        var text = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private void Run()
    {
        while (_pos < _source.Length)
        {
            var tag = FindTag(_pos);
            if (tag < 0)
            {
                EmitText(_pos, _source.Length, _source[_pos..]);
                return;
            }
            var kind = _source[tag + 1];
            var sign = tag + 2 < _source.Length && _source[tag + 2] is '-' or '+' ? _source[tag + 2] : '\0';
            var text = ControlLeadingWhitespace(_source[_pos..tag], sign, lstrip: kind != '{');
            EmitText(_pos, tag, text);
            _pos = tag + 2 + (sign == '\0' ? 0 : 1);
            switch (kind)
            {
                case '#':
                    SkipComment();
                    break;
                case '{':
                    LexTag(TokenKind.VariableBegin, TokenKind.VariableEnd, "}}");
                    break;
                default:
                    if (!TryLexRaw())
                        LexTag(TokenKind.BlockBegin, TokenKind.BlockEnd, "%}");
                    break;
            }
        }
    }

    private int FindTag(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
                return i;
        }
        return -1;
    }

    private string ControlLeadingWhitespace(string text, char sign, bool lstrip)
    {
        if (sign == '-')
            return PythonStrings.Strip(text, null, left: false);
        if (sign == '+' || !lstrip)
            return text;
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting)
            return text;
        // Jinja strips only spaces and tabs here, not other whitespace.
        return text.AsSpan(lineStart).ContainsAnyExcept(' ', '\t') ? text : text[..lineStart];
    }

    /// <summary>Emits text (already whitespace-controlled) that came from <c>_source[from..to]</c>, keeping the line count.</summary>
    private void EmitText(int from, int to, string text)
    {
        if (text.Length > 0)
            _tokens.Add(new Token(TokenKind.Text, text, _line));
        _line += _source.AsSpan(from, to - from).Count('\n');
    }

    private void SkipComment()
    {
        var start = _pos;
        var line = _line;
        for (var i = _pos; i + 1 < _source.Length; i++)
        {
            if (_source[i] == '#' && _source[i + 1] == '}')
            {
                var sign = i > start && _source[i - 1] is '-' or '+' ? _source[i - 1] : '\0';
                _line += _source.AsSpan(start, i - start).Count('\n');
                _pos = i + 2;
                ControlTrailingWhitespace(sign, trimBlocks: true);
                return;
            }
        }
        throw new TemplateException("Missing end of comment tag", line);
    }

    /// <summary>Handles <c>{% raw %}...{% endraw %}</c>, whose content is text even if it looks like tags.</summary>
    private bool TryLexRaw()
    {
        var i = SkipSpaces(_pos);
        if (string.CompareOrdinal(_source, i, "raw", 0, 3) != 0)
            return false;
        i = SkipSpaces(i + 3);
        var minus = i < _source.Length && _source[i] == '-';
        if (string.CompareOrdinal(_source, minus ? i + 1 : i, "%}", 0, 2) != 0)
            return false;
        var line = _line;
        _line += _source.AsSpan(_pos, i - _pos).Count('\n');
        _pos = i + (minus ? 3 : 2);
        if (minus)
            SkipWhitespace();
        for (var end = FindTag(_pos); end >= 0; end = FindTag(end + 2))
        {
            if (_source[end + 1] != '%')
                continue;
            var sign = end + 2 < _source.Length && _source[end + 2] is '-' or '+' ? _source[end + 2] : '\0';
            var j = SkipSpaces(end + 2 + (sign == '\0' ? 0 : 1));
            if (string.CompareOrdinal(_source, j, "endraw", 0, 6) != 0)
                continue;
            j = SkipSpaces(j + 6);
            var endSign = j < _source.Length && _source[j] is '-' or '+' ? _source[j] : '\0';
            if (string.CompareOrdinal(_source, j + (endSign == '\0' ? 0 : 1), "%}", 0, 2) != 0)
                continue;
            _lineStarting = false;
            EmitText(_pos, end, ControlLeadingWhitespace(_source[_pos..end], sign, lstrip: true));
            _line += _source.AsSpan(end, j - end).Count('\n');
            _pos = j + (endSign == '\0' ? 2 : 3);
            ControlTrailingWhitespace(endSign, trimBlocks: true);
            return true;
        }
        throw new TemplateException("Missing end of raw directive", line);
    }

    private void LexTag(TokenKind begin, TokenKind end, string closer)
    {
        _tokens.Add(new Token(begin, "", _line));
        var open = new Stack<char>();
        while (true)
        {
            SkipWhitespace();
            if (_pos >= _source.Length)
                throw new TemplateException($"unexpected end of template, expected '{closer}'", _line);
            if (open.Count == 0 && TryCloseTag(end, closer))
                return;
            var c = _source[_pos];
            if (char.IsAsciiDigit(c))
                LexNumber();
            else if (char.IsLetter(c) || c == '_')
                LexName();
            else if (c is '\'' or '"')
                LexString();
            else
                LexOperator(open);
        }
    }

    private bool TryCloseTag(TokenKind end, string closer)
    {
        var sign = _source[_pos] is '-' or '+' ? _source[_pos] : '\0';
        // Only block tags accept "+" before the closer.
        if (sign == '+' && end == TokenKind.VariableEnd)
            sign = '\0';
        var at = _pos + (sign == '\0' ? 0 : 1);
        if (string.CompareOrdinal(_source, at, closer, 0, 2) != 0)
            return false;
        _tokens.Add(new Token(end, "", _line));
        _pos = at + 2;
        ControlTrailingWhitespace(sign, trimBlocks: end == TokenKind.BlockEnd);
        return true;
    }

    private void ControlTrailingWhitespace(char sign, bool trimBlocks)
    {
        if (sign == '-')
        {
            var start = _pos;
            SkipWhitespace();
            _lineStarting = _pos > start && _source[_pos - 1] == '\n';
            return;
        }
        if (sign != '+' && trimBlocks && _pos < _source.Length && _source[_pos] == '\n')
        {
            _pos++;
            _line++;
            _lineStarting = true;
            return;
        }
        _lineStarting = false;
    }

    private void LexName()
    {
        var start = _pos;
        while (_pos < _source.Length && (char.IsLetterOrDigit(_source[_pos]) || _source[_pos] == '_'))
            _pos++;
        _tokens.Add(new Token(TokenKind.Name, _source[start.._pos], _line));
    }

    private void LexNumber()
    {
        var digits = new StringBuilder();
        ReadDigits(digits);
        var isFloat = false;
        if (_pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            isFloat = true;
            digits.Append(_source[_pos++]);
            ReadDigits(digits);
        }
        if (_pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            var at = _pos + 1;
            if (at < _source.Length && _source[at] is '+' or '-')
                at++;
            if (at < _source.Length && char.IsAsciiDigit(_source[at]))
            {
                isFloat = true;
                digits.Append(_source, _pos, at - _pos);
                _pos = at;
                ReadDigits(digits);
            }
        }
        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, digits.ToString(), _line));
    }

    // Digits with Python's "1_000" separators, which do not count.
    private void ReadDigits(StringBuilder digits)
    {
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) ||
               (_source[_pos] == '_' && _pos + 1 < _source.Length && char.IsAsciiDigit(_source[_pos + 1]))))
        {
            if (_source[_pos] != '_')
                digits.Append(_source[_pos]);
            _pos++;
        }
    }

    private void LexString()
    {
        var quote = _source[_pos];
        var line = _line;
        var value = new StringBuilder();
        var i = _pos + 1;
        while (true)
        {
            if (i >= _source.Length)
                throw new TemplateException("unexpected end of string", line);
            var c = _source[i];
            if (c == quote)
                break;
            if (c == '\n')
                _line++;
            if (c == '\\' && i + 1 < _source.Length)
            {
                if (_source[i + 1] == '\n')
                    _line++;
                i = DecodeEscape(i + 1, value);
                continue;
            }
            value.Append(c);
            i++;
        }
        _pos = i + 1;
        _tokens.Add(new Token(TokenKind.String, value.ToString(), line));
    }

    /// <summary>Python's string escapes; an unknown escape keeps its backslash, as Python does.</summary>
    private int DecodeEscape(int i, StringBuilder value)
    {
        var c = _source[i];
        switch (c)
        {
            case '\n':
                return i + 1;
            case '\\' or '\'' or '"':
                value.Append(c);
                return i + 1;
            case 'a':
                value.Append('\a');
                return i + 1;
            case 'b':
                value.Append('\b');
                return i + 1;
            case 'f':
                value.Append('\f');
                return i + 1;
            case 'n':
                value.Append('\n');
                return i + 1;
            case 'r':
                value.Append('\r');
                return i + 1;
            case 't':
                value.Append('\t');
                return i + 1;
            case 'v':
                value.Append('\v');
                return i + 1;
            case 'x':
                return DecodeHex(i, 2, value);
            case 'u':
                return DecodeHex(i, 4, value);
            case 'U':
                return DecodeHex(i, 8, value);
            case >= '0' and <= '7':
                var end = i;
                while (end < _source.Length && end < i + 3 && _source[end] is >= '0' and <= '7')
                    end++;
                value.Append((char)Convert.ToInt32(_source[i..end], 8));
                return end;
            default:
                value.Append('\\');
                return i;
        }
    }

    private int DecodeHex(int i, int digits, StringBuilder value)
    {
        var start = i + 1;
        if (start + digits > _source.Length ||
            !int.TryParse(_source.AsSpan(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) ||
            code > 0x10FFFF)
        {
            throw new TemplateException($"truncated \\{_source[i]} escape in string", _line);
        }
        value.Append(code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code));
        return start + digits;
    }

    private void LexOperator(Stack<char> open)
    {
        var op = Array.Find(Operators, o => string.CompareOrdinal(_source, _pos, o, 0, o.Length) == 0)
            ?? throw new TemplateException($"unexpected character '{_source[_pos]}'", _line);
        switch (op)
        {
            case "(":
                open.Push(')');
                break;
            case "[":
                open.Push(']');
                break;
            case "{":
                open.Push('}');
                break;
            case ")" or "]" or "}":
                if (open.Count == 0 || open.Pop() != op[0])
                    throw new TemplateException($"unexpected '{op}'", _line);
                break;
        }
        _tokens.Add(new Token(TokenKind.Operator, op, _line));
        _pos += op.Length;
    }

    private void SkipWhitespace()
    {
        while (_pos < _source.Length && PythonStrings.IsSpace(_source[_pos]))
        {
            if (_source[_pos] == '\n')
                _line++;
            _pos++;
        }
    }

    private int SkipSpaces(int i)
    {
        while (i < _source.Length && PythonStrings.IsSpace(_source[i]))
            i++;
        return i;
    }
}
