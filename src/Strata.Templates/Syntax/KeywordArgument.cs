namespace Strata.Templates.Syntax;

internal sealed record KeywordArgument(string Name, Expression Value);
