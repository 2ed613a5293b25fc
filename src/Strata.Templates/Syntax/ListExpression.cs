namespace Strata.Templates.Syntax;

internal sealed record ListExpression(int Line, IReadOnlyList<Expression> Items) : Expression(Line);
