using Strata.Engine.Requests;

namespace Strata.Engine.Tests.Engine;

/// <summary>Everything one request streamed, gathered per choice.</summary>
internal sealed record Completion(string[] Texts, int[][] Tokens, FinishReason[] Reasons)
{
    public static async Task<Completion> CollectAsync(GenerationHandle handle, int choices = 1)
    {
        var events = new List<GenerationEvent>();
        await foreach (var e in handle.Events.ReadAllAsync())
            events.Add(e);
        return Of(events, choices);
    }

    public static Completion Of(IEnumerable<GenerationEvent> events, int choices)
    {
        var texts = Enumerable.Range(0, choices).Select(_ => new System.Text.StringBuilder()).ToArray();
        var tokens = Enumerable.Range(0, choices).Select(_ => new List<int>()).ToArray();
        var reasons = new FinishReason[choices];
        foreach (var e in events)
        {
            switch (e)
            {
                case TokenEvent t:
                    texts[t.Choice].Append(t.Text);
                    tokens[t.Choice].Add(t.TokenId);
                    break;
                case FinishEvent f:
                    texts[f.Choice].Append(f.Text);
                    reasons[f.Choice] = f.Reason;
                    break;
            }
        }
        return new Completion(texts.Select(t => t.ToString()).ToArray(), tokens.Select(t => t.ToArray()).ToArray(), reasons);
    }
}
