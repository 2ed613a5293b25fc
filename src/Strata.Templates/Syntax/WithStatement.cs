namespace Strata.Templates.Syntax;

internal sealed record WithStatement(int Line, IReadOnlyList<Assignment> Assignments, IReadOnlyList<Statement> Body) : Statement(Line);
