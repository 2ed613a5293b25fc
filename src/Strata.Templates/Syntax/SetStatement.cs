namespace Strata.Templates.Syntax;

/// <summary><c>set target = value</c>; the target is a name, a tuple of names, or <c>namespace.attribute</c>.</summary>
internal sealed record SetStatement(int Line, Expression Target, Expression Value) : Statement(Line);
