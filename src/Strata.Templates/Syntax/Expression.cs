namespace Strata.Templates.Syntax;

internal abstract record Expression(int Line) : Node(Line);
