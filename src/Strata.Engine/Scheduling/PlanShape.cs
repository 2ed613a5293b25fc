namespace Strata.Engine.Scheduling;

/// <summary>
/// What a step's plan asks of the forward pass, the terms a step's cost depends on: prompt (or recomputed) tokens,
/// decoding sequences and the drafts they verify, and the KV positions attention reads (each chunk's whole context).
/// </summary>
internal readonly record struct PlanShape(int PrefillTokens, int DecodeSequences, int DraftTokens, long ContextTokens)
{
    public static PlanShape Of(SchedulerPlan plan)
    {
        int prefill = 0, decodes = 0, drafts = 0;
        long context = 0;
        foreach (var chunk in plan.Chunks)
        {
            if (chunk.IsDecode)
                decodes++;
            else
                prefill += chunk.Count;
            drafts += chunk.Drafts.Count;
            context += chunk.Start + chunk.TokenCount;
        }
        return new PlanShape(prefill, decodes, drafts, context);
    }
}
