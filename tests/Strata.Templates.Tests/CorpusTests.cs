namespace Strata.Templates.Tests;

/// <summary>Every case of the shared corpus (63 real models' templates) renders exactly as Jinja2 rendered it.</summary>
public sealed class CorpusTests
{
    public static TheoryData<string, string, bool> RenderingCases => Rows(expectError: false);

    public static TheoryData<string, string, bool> ErrorCases => Rows(expectError: true);

    [Theory]
    [MemberData(nameof(RenderingCases))]
    public void Render_CorpusCase_MatchesJinjaByteForByte(string template, string conversation, bool addGenerationPrompt)
    {
        var corpusCase = CorpusCase.Find(template, conversation, addGenerationPrompt);

        var rendered = ChatTemplate.Parse(corpusCase.TemplateSource).Render(corpusCase.Input);

        Assert.Equal(corpusCase.Expected, rendered);
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public void Render_CorpusCaseTheTemplateRejects_ThrowsTemplateException(string template, string conversation, bool addGenerationPrompt)
    {
        var corpusCase = CorpusCase.Find(template, conversation, addGenerationPrompt);
        var parsed = ChatTemplate.Parse(corpusCase.TemplateSource);

        var error = Assert.Throws<TemplateException>(() => parsed.Render(corpusCase.Input));

        Assert.True(error.Line > 0);
        Assert.Contains($"line {error.Line}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_HasAllCases()
    {
        Assert.Equal(500, CorpusCase.All.Count(c => c.Expected is not null));
        Assert.Equal(4, CorpusCase.All.Count(c => c.Expected is null));
    }

    private static TheoryData<string, string, bool> Rows(bool expectError)
    {
        var rows = new TheoryData<string, string, bool>();
        foreach (var c in CorpusCase.All.Where(c => (c.Expected is null) == expectError))
            rows.Add(c.Template, c.Conversation, c.AddGenerationPrompt);
        return rows;
    }
}
