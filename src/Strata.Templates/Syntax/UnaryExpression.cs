namespace Strata.Templates.Syntax;

internal sealed record UnaryExpression(int Line, UnaryOperator Operator, Expression Operand) : Expression(Line);
