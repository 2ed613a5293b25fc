namespace Strata.Templates.Syntax;

internal sealed record FilterBlockStatement(int Line, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Statement> Body) : Statement(Line);
