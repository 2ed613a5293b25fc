namespace Strata.Templates.Syntax;

internal sealed record TextStatement(int Line, string Text) : Statement(Line);
