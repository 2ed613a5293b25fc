namespace Strata.Templates.Syntax;

internal sealed record NameExpression(int Line, string Name) : Expression(Line);
