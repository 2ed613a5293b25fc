namespace Strata.Grammar;

/// <summary>A grammar or schema that cannot be compiled; the message says where and why.</summary>
public sealed class GrammarException(string message) : Exception(message);
