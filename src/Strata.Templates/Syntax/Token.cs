namespace Strata.Templates.Syntax;

/// <summary>One lexical token. For strings <see cref="Text"/> is the decoded value; for numbers, the digits.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsOperator(string text) => Is(TokenKind.Operator, text);

    public bool IsName(string text) => Is(TokenKind.Name, text);

    public string Describe() => Kind switch
    {
        TokenKind.EndOfInput => "end of template",
        TokenKind.BlockEnd => "end of statement block",
        TokenKind.VariableEnd => "end of print statement",
        TokenKind.String => "string",
        _ => $"'{Text}'",
    };
}
