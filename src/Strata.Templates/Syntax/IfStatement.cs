namespace Strata.Templates.Syntax;

/// <summary><c>if</c>; an <c>elif</c> is a nested if in <see cref="Else"/>.</summary>
internal sealed record IfStatement(int Line, Expression Test, IReadOnlyList<Statement> Body, IReadOnlyList<Statement> Else) : Statement(Line);
