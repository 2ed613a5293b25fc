namespace Strata.Templates.Syntax;

/// <summary>A comparison chain, <c>a &lt; b &lt;= c</c>, which Python reads as <c>a &lt; b and b &lt;= c</c>.</summary>
internal sealed record CompareExpression(int Line, Expression First, IReadOnlyList<Comparison> Rest) : Expression(Line);
