namespace Strata.Templates.Syntax;

internal sealed record Assignment(Expression Target, Expression Value);
