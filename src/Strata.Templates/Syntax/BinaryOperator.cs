namespace Strata.Templates.Syntax;

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Modulo,
    Power,
    Concat,
    And,
    Or,
}
