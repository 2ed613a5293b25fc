namespace Strata.Templates.Syntax;

internal sealed record ContinueStatement(int Line) : Statement(Line);
