namespace Strata.Templates.Syntax;

/// <summary>The arguments written in a call: positional, keyword, and <c>*args</c>/<c>**kwargs</c> spreads.</summary>
internal sealed record CallArguments(IReadOnlyList<Expression> Positional, IReadOnlyList<KeywordArgument> Keywords, Expression? Spread, Expression? KeywordSpread)
{
    public static readonly CallArguments None = new([], [], null, null);
}
