namespace Strata.Server.Structured;

/// <summary>A grammar the output must follow, as GBNF, and the request field it came from (for errors).</summary>
internal sealed record OutputGrammar(string Gbnf, string Param);
