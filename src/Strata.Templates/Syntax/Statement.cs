namespace Strata.Templates.Syntax;

internal abstract record Statement(int Line) : Node(Line);
