namespace Strata.Templates.Syntax;

internal sealed record BinaryExpression(int Line, BinaryOperator Operator, Expression Left, Expression Right) : Expression(Line);
