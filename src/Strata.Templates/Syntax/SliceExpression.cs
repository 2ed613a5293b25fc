namespace Strata.Templates.Syntax;

/// <summary><c>target[start:stop:step]</c>.</summary>
internal sealed record SliceExpression(int Line, Expression Target, Expression? Start, Expression? Stop, Expression? Step) : Expression(Line);
