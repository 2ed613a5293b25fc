namespace Strata.Templates.Syntax;

/// <summary><c>input | filter(args)</c>.</summary>
internal sealed record FilterExpression(int Line, Expression Input, FilterCall Filter) : Expression(Line);
