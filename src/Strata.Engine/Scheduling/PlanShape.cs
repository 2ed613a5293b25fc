namespace Strata.Engine.Scheduling;

/// <summary>
/// What a step's plan asks of the forward pass, the terms a step's cost depends on: prompt (or recomputed) tokens,
/// decoding sequences and the drafts they verify, the KV positions attention reads (each chunk's whole context), and
/// the attention work of prompt chunks (each new token against its chunk's whole context: new tokens x context, which
/// grows with the square of a long prompt where the other terms grow linearly).
/// </summary>
internal readonly record struct PlanShape(int PrefillTokens, int DecodeSequences, int DraftTokens, long ContextTokens, long PrefillAttention)
{
    public static PlanShape Of(SchedulerPlan plan)
    {
        int prefill = 0, decodes = 0, drafts = 0;
        long context = 0, attention = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.IsDecode)
            {
                decodes++;
            }
            else
            {
                prefill += chunk.Count;
                attention += ChunkAttention(chunk.Count, chunk.Start + chunk.TokenCount);
            }
            drafts += chunk.Drafts.Count;
            context += chunk.Start + chunk.TokenCount;
        }
        return new PlanShape(prefill, decodes, drafts, context, attention);
    }

    /// <summary>A prompt chunk's attention work: each of its <paramref name="count"/> new tokens against the context up to the chunk's <paramref name="end"/>.</summary>
    public static long ChunkAttention(int count, long end) => count * end;
}
