namespace Strata.Grammar.Tests;

/// <summary>GBNF as llama.cpp writes it: literals, classes, groups, repetition, comments; errors that say where.</summary>
public sealed class GbnfTests
{
    [Theory]
    [InlineData("root ::= \"yes\" | \"no\"", "yes", true)]
    [InlineData("root ::= \"yes\" | \"no\"", "ye", false)]
    [InlineData("root ::= \"yes\" | \"no\"", "nope", false)]
    [InlineData("root ::= [a-c]+ \"!\"", "abcab!", true)]
    [InlineData("root ::= [a-c]+ \"!\"", "!", false)]
    [InlineData("root ::= [^x]*", "héllo wörld 🤖", true)]
    [InlineData("root ::= [^x]*", "xylophone", false)]
    [InlineData("root ::= \"a\"{2,3}", "a", false)]
    [InlineData("root ::= \"a\"{2,3}", "aa", true)]
    [InlineData("root ::= \"a\"{2,3}", "aaa", true)]
    [InlineData("root ::= \"a\"{2,3}", "aaaa", false)]
    [InlineData("root ::= \"ab\"{2,}", "ababab", true)]
    [InlineData("root ::= \"ab\"{2}", "abab", true)]
    [InlineData("root ::= (\"x\" | \"y\")? \"z\"", "z", true)]
    [InlineData("root ::= (\"x\" | \"y\")? \"z\"", "yz", true)]
    [InlineData("root ::= [α-ω]+", "λόγος", false)]
    [InlineData("root ::= [α-ω]+", "λογοσ", true)]
    [InlineData("root ::= \"\\u00e9\\x41\\n\"", "éA\n", true)]
    [InlineData("root ::= .", "€", true)]
    [InlineData("root ::= . .", "€", false)]
    public void Match_Text_FollowsTheGrammar(string gbnf, string text, bool matches)
    {
        Assert.Equal(matches, ByteVocabulary.Matches(ByteVocabulary.Grammar(gbnf), text));
    }

    [Fact]
    public void Parse_RulesAcrossLinesWithComments_Match()
    {
        const string gbnf = """
            # a list of words
            root ::= word ("," ws word)*   # at least one
            word ::= [a-z]+
            ws   ::= (
                " " |
                "\t"
            )?
            """;
        var grammar = ByteVocabulary.Grammar(gbnf);

        Assert.True(ByteVocabulary.Matches(grammar, "one, two,three,\tfour"));
        Assert.False(ByteVocabulary.Matches(grammar, "one,,two"));
    }

    [Fact]
    public void Parse_RecursiveGrammar_MatchesNestedInput()
    {
        var grammar = ByteVocabulary.Grammar("root ::= \"(\" root* \")\"");

        Assert.True(ByteVocabulary.Matches(grammar, "(()(()))"));
        Assert.False(ByteVocabulary.Matches(grammar, "(()"));
        Assert.Null(ByteVocabulary.Feed(grammar, "())"));
    }

    [Theory]
    [InlineData("root ::= undefined", "rule 'undefined' is used but never defined")]
    [InlineData("other ::= \"x\"", "no rule 'root'")]
    [InlineData("root ::= root \"x\" | \"y\"", "rule 'root' is left-recursive")]
    [InlineData("root ::= a\na ::= \"b\"? root", "left-recursive")]
    [InlineData("root ::= \"x\"\nroot ::= \"y\"", "defined twice")]
    [InlineData("root ::= \"abc", "line 1, column 14: expected '\"' before the end")]
    [InlineData("root ::= \"a\"\n  oops", "line 2, column 7: expected '::='")]
    [InlineData("root ::= [a-z", "expected ']'")]
    [InlineData("root ::= \"a\"{3,1}", "maximum below its minimum")]
    [InlineData("root ::= \"\\q\"", "unknown escape")]
    [InlineData("root ::= *", "must follow an item")]
    [InlineData("root ::= x\nx ::= x", "left-recursive")]
    [InlineData("", "empty")]
    public void Parse_InvalidGrammar_ThrowsWithReason(string gbnf, string reason)
    {
        var error = Assert.Throws<GrammarException>(() => CompiledGrammar.FromGbnf(gbnf));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RuleThatNeverEnds_IsRefused()
    {
        var error = Assert.Throws<GrammarException>(() => CompiledGrammar.FromGbnf("root ::= \"a\" root"));

        Assert.Contains("never be completed", error.Message, StringComparison.Ordinal);
    }
}
