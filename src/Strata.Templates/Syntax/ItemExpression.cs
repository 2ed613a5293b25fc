namespace Strata.Templates.Syntax;

/// <summary><c>target[key]</c>: item first, then attribute, as Jinja looks it up.</summary>
internal sealed record ItemExpression(int Line, Expression Target, Expression Key) : Expression(Line);
