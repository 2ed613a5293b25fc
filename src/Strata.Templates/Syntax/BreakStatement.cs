namespace Strata.Templates.Syntax;

internal sealed record BreakStatement(int Line) : Statement(Line);
