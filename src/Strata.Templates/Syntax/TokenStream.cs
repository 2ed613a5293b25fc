namespace Strata.Templates.Syntax;

/// <summary>A cursor over the tokens of one template, with the expect/skip helpers a recursive-descent parser needs.</summary>
internal sealed class TokenStream(IReadOnlyList<Token> tokens)
{
    private int _index;

    public Token Current => tokens[_index];

    public Token Peek() => tokens[Math.Min(_index + 1, tokens.Count - 1)];

    public Token Next()
    {
        var token = tokens[_index];
        if (token.Kind != TokenKind.EndOfInput)
            _index++;
        return token;
    }

    public bool SkipIf(TokenKind kind, string text = "")
    {
        if (Current.Kind != kind || (text.Length > 0 && Current.Text != text))
            return false;
        Next();
        return true;
    }

    public bool SkipOperator(string op) => SkipIf(TokenKind.Operator, op);

    public bool SkipName(string name) => SkipIf(TokenKind.Name, name);

    public Token Expect(TokenKind kind, string text = "")
    {
        if (Current.Kind == kind && (text.Length == 0 || Current.Text == text))
            return Next();
        var wanted = text.Length > 0 ? $"'{text}'" : new Token(kind, "", 0).Describe();
        throw Error($"expected {wanted}, got {Current.Describe()}");
    }

    public Token ExpectOperator(string op) => Expect(TokenKind.Operator, op);

    public string ExpectName() => Expect(TokenKind.Name).Text;

    public TemplateException Error(string reason) => new(reason, Current.Line);
}
