namespace Strata.Templates.Syntax;

internal sealed record TupleExpression(int Line, IReadOnlyList<Expression> Items) : Expression(Line);
