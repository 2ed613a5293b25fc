namespace Strata.Templates.Syntax;

internal sealed record Comparison(CompareOperator Operator, Expression Operand);
