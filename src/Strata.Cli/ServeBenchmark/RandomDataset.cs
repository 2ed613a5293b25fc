namespace Strata.Cli.ServeBenchmark;

/// <summary>Prompts of random words with target input and output lengths; no two prompts share a useful prefix.</summary>
internal sealed record RandomDataset : BenchmarkDataset
{
    public RandomDataset(int count, LengthRange input, LengthRange output)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        Input = input;
        Output = output;
    }

    public int Count { get; }

    public LengthRange Input { get; }

    public LengthRange Output { get; }

    public override BenchmarkRequest[] Create(TokenEstimate estimate, Random random)
    {
        var requests = new BenchmarkRequest[Count];
        for (var i = 0; i < Count; i++)
        {
            var promptTokens = Input.Next(random);
            var prompt = PromptWords.Text(estimate.WordsForPrompt(promptTokens), random);
            requests[i] = new BenchmarkRequest(null, prompt, promptTokens, Output.Next(random));
        }
        return requests;
    }

    public override IEnumerable<DatasetPrompt> TokenPrompts(Random random)
    {
        for (var i = 0; i < Count; i++)
        {
            var prompt = PromptWords.TokenIds(Input.Next(random), random);
            yield return new DatasetPrompt(prompt, Output.Next(random));
        }
    }
}
