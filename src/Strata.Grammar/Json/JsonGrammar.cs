namespace Strata.Grammar.Json;

/// <summary>
/// GBNF rules for JSON values. Whitespace between tokens is bounded and numbers have at most 16 digits before and
/// after the point, so a generated document can always be closed in a few bytes. No value ends with whitespace,
/// so a grammar whose root is a value is complete the moment the value closes.
/// </summary>
public static class JsonGrammar
{
    /// <summary>Rules every compiled schema can use (<c>value</c>, <c>object</c>, <c>string</c>, …).</summary>
    public const string Rules = """
        ws ::= | " " | "\n" [ \t]{0,20}
        hex ::= [0-9a-fA-F]
        char ::= [^"\\\x00-\x1F] | "\\" (["\\/bfnrt] | "u" ([0-9a-cA-CefEF] hex hex hex | [dD] [0-7] hex hex))
        string ::= "\"" char* "\""
        integral ::= "0" | [1-9] [0-9]{0,15}
        number ::= "-"? integral ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?
        integer ::= "-"? integral
        boolean ::= "true" | "false"
        null ::= "null"
        value ::= object | array | string | number | boolean | null
        member ::= string ws ":" ws value ws
        object ::= "{" ws (member ("," ws member)*)? "}"
        array ::= "[" ws (value ws ("," ws value ws)*)? "]"

        """;

    /// <summary>Any JSON object (<c>response_format: {"type": "json_object"}</c>).</summary>
    public static string AnyObject { get; } = "root ::= object\n" + Rules;
}
