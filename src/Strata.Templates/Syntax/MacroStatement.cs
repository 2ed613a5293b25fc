namespace Strata.Templates.Syntax;

internal sealed record MacroStatement(int Line, string Name, IReadOnlyList<MacroParameter> Parameters, IReadOnlyList<Statement> Body) : Statement(Line);
