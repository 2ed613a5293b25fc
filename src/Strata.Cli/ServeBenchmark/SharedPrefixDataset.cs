namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// The prefix-cache workload: <see cref="Groups"/> system prompts of about <see cref="PrefixTokens"/> tokens, each
/// followed by <see cref="QuestionsPerGroup"/> distinct questions. Requests are interleaved across groups (question 0
/// of every group, then question 1, …) so that a cache has to hold every prefix at once, not one group at a time.
/// </summary>
internal sealed record SharedPrefixDataset : BenchmarkDataset
{
    public SharedPrefixDataset(int groups, int prefixTokens, int questionsPerGroup, int questionTokens, int outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(prefixTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(questionsPerGroup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(questionTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputTokens);
        Groups = groups;
        PrefixTokens = prefixTokens;
        QuestionsPerGroup = questionsPerGroup;
        QuestionTokens = questionTokens;
        OutputTokens = outputTokens;
    }

    public int Groups { get; }

    public int PrefixTokens { get; }

    public int QuestionsPerGroup { get; }

    public int QuestionTokens { get; }

    public int OutputTokens { get; }

    public override BenchmarkRequest[] Create(TokenEstimate estimate, Random random)
    {
        var prefixes = new string[Groups];
        for (var g = 0; g < Groups; g++)
            prefixes[g] = PromptWords.Text(estimate.WordsForPrompt(PrefixTokens), random);
        var requests = new BenchmarkRequest[Groups * QuestionsPerGroup];
        for (var q = 0; q < QuestionsPerGroup; q++)
        {
            for (var g = 0; g < Groups; g++)
            {
                var question = PromptWords.Text(estimate.Words(QuestionTokens), random);
                requests[q * Groups + g] = new BenchmarkRequest(prefixes[g], question, PrefixTokens + QuestionTokens, OutputTokens);
            }
        }
        return requests;
    }

    public override IEnumerable<DatasetPrompt> TokenPrompts(Random random)
    {
        var prefixes = new int[Groups][];
        for (var g = 0; g < Groups; g++)
            prefixes[g] = PromptWords.TokenIds(PrefixTokens, random);
        for (var q = 0; q < QuestionsPerGroup; q++)
        {
            for (var g = 0; g < Groups; g++)
                yield return new DatasetPrompt([.. prefixes[g], .. PromptWords.TokenIds(QuestionTokens, random)], OutputTokens);
        }
    }
}
