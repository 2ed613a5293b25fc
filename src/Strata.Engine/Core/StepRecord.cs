namespace Strata.Engine.Core;

/// <summary>
/// What one engine step ran and how long it took, the raw material of a service-time predictor: prompt (or recomputed)
/// tokens, decoding sequences and the drafts they verified, the KV positions attention read (each chunk's whole
/// context), the attention work of its prompt chunks (<see cref="Scheduling.PlanShape.PrefillAttention"/>), and the
/// tokens it produced. <see cref="Started"/> is a timestamp of the engine's clock.
/// </summary>
internal sealed record StepRecord(
    long Number,
    long Started,
    double Seconds,
    int Sequences,
    int PrefillTokens,
    int DecodeSequences,
    int DraftTokens,
    long ContextTokens,
    int AcceptedTokens,
    long PrefillAttention);
