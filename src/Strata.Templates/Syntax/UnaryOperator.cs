namespace Strata.Templates.Syntax;

internal enum UnaryOperator
{
    Negate,
    Plus,
    Not,
}
