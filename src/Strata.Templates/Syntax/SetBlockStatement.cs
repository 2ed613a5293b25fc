namespace Strata.Templates.Syntax;

/// <summary><c>set target [| filters]</c> ... <c>endset</c>: captures the rendered body.</summary>
internal sealed record SetBlockStatement(int Line, Expression Target, IReadOnlyList<FilterCall> Filters, IReadOnlyList<Statement> Body) : Statement(Line);
