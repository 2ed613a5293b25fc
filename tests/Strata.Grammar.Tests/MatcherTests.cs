namespace Strata.Grammar.Tests;

/// <summary>Masks over tokens of several bytes, completion, rollback and copies.</summary>
public sealed class MatcherTests
{
    private const int Yes = 257;
    private const int No = 258;
    private const int YesNo = 259;
    private const int Emoji = 260;

    [Fact]
    public void Mask_MultiByteTokens_AllowedOnlyWhenEveryByteFits()
    {
        var grammar = ByteVocabulary.Grammar("root ::= (\"yes\" | \"no\") \"!\"", "yes", "no", "yesno", "🤖");
        var vocabulary = grammar.Vocabulary.Count;

        var allowed = ByteVocabulary.Allowed(grammar.CreateMatcher(), vocabulary);

        Assert.Equal(new HashSet<int> { 'y', 'n', Yes, No }, allowed);
    }

    [Fact]
    public void Mask_SplitCharacter_AllowsItsContinuationBytesOnly()
    {
        var grammar = ByteVocabulary.Grammar("root ::= [^a-z]", "yes", "no", "yesno", "🤖");
        var matcher = grammar.CreateMatcher();

        Assert.Contains(Emoji, ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count));
        Assert.True(matcher.Accept(0xF0));
        var continuation = ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count);

        Assert.All(continuation, t => Assert.InRange(t, 0x80, 0xBF));
        Assert.Equal(48, continuation.Count); // after F0 the second byte is 90–BF
    }

    [Fact]
    public void Accept_CompleteSentence_IsCompleteAndOnlyEndAllowed()
    {
        var grammar = ByteVocabulary.Grammar("root ::= \"yes\" | \"yes!\"", "yes");
        var matcher = grammar.CreateMatcher();

        Assert.True(matcher.Accept(Yes));
        Assert.True(matcher.CanEnd);
        Assert.False(matcher.IsComplete);
        Assert.Equal(new HashSet<int> { '!', ByteVocabulary.End }, ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count));
        Assert.True(matcher.Accept('!'));
        Assert.True(matcher.IsComplete);
        Assert.Equal(new HashSet<int> { ByteVocabulary.End }, ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count));
    }

    [Fact]
    public void Accept_RefusedToken_LeavesStateUnchanged()
    {
        var grammar = ByteVocabulary.Grammar("root ::= \"yes\"", "yes", "no");
        var matcher = grammar.CreateMatcher();

        Assert.False(matcher.Accept(No));
        Assert.False(matcher.Allows(No));
        Assert.Equal(0, matcher.AcceptedTokens);
        Assert.True(matcher.Accept(Yes));
    }

    [Fact]
    public void Rollback_AndClone_RestoreEarlierStates()
    {
        var grammar = ByteVocabulary.Grammar("root ::= \"ab\" (\"c\" | \"d\")", "ab");
        var matcher = grammar.CreateMatcher();
        Assert.True(matcher.Accept('a'));
        var copy = matcher.Clone();

        Assert.True(matcher.Accept('b'));
        Assert.True(matcher.Accept('c'));
        Assert.True(matcher.IsComplete);
        matcher.Rollback(2);

        Assert.Equal(1, matcher.AcceptedTokens);
        Assert.False(matcher.Allows('a'));
        Assert.True(matcher.Accept('b'));
        Assert.True(matcher.Accept('d'));
        Assert.Equal(1, copy.AcceptedTokens);
        Assert.True(copy.Allows('b'));
        Assert.Throws<ArgumentOutOfRangeException>(() => copy.Rollback(2));
    }

    [Fact]
    public void Mask_FewTokensLeft_OnlyTokensThatCanStillFinish()
    {
        // A list of words in brackets; with two tokens left only the closing bracket (or a word token then it) fits.
        var grammar = ByteVocabulary.Grammar("root ::= \"[\" [a-z]* \"]\"", "abc", "]", "abc]");
        var matcher = grammar.CreateMatcher();
        Assert.True(matcher.Accept('['));

        var lastToken = ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count, remaining: 1);
        var twoLeft = ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count, remaining: 2);
        var plenty = ByteVocabulary.Allowed(matcher, grammar.Vocabulary.Count);

        Assert.Equal(new HashSet<int> { ']', 258, 259 }, lastToken);
        Assert.Equal(26 + 4, twoLeft.Count);
        Assert.Equal(twoLeft, plenty);
    }

    [Fact]
    public void Mask_VocabularyCannotSpellTheGrammar_AllowsEndingOnly()
    {
        List<byte[]> pieces = ["a"u8.ToArray(), []];
        var grammar = new TokenGrammar(CompiledGrammar.FromGbnf("root ::= \"b\""), new TokenVocabulary(pieces, [1]));
        var logits = new float[2];

        grammar.CreateMatcher().MaskLogits(logits);

        Assert.Equal(float.NegativeInfinity, logits[0]);
        Assert.Equal(0f, logits[1]);
    }
}
