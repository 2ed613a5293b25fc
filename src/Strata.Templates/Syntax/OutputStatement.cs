namespace Strata.Templates.Syntax;

/// <summary><c>{{ expression }}</c>.</summary>
internal sealed record OutputStatement(int Line, Expression Expression) : Statement(Line);
