namespace Strata.Templates.Syntax;

/// <summary><c>then if test else otherwise</c>; without <c>else</c> a false test gives undefined.</summary>
internal sealed record ConditionalExpression(int Line, Expression Test, Expression Then, Expression? Otherwise) : Expression(Line);
