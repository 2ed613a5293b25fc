namespace Strata.Templates.Syntax;

/// <summary><c>target.name</c>: attribute first, then item, as Jinja looks it up.</summary>
internal sealed record AttributeExpression(int Line, Expression Target, string Name) : Expression(Line);
