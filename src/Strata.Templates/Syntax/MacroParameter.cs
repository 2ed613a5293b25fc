namespace Strata.Templates.Syntax;

internal sealed record MacroParameter(string Name, Expression? Default);
