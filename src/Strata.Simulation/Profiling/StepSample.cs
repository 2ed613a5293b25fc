namespace Strata.Simulation.Profiling;

/// <summary>One measured step: what it ran (the terms of <see cref="CostModel"/>) and the seconds it took.</summary>
internal readonly record struct StepSample(int PrefillTokens, int DecodeSequences, long ContextTokens, long PrefillAttention, double Seconds)
{
    public const string CsvHeader = "prefill_tokens,decode_sequences,context_tokens,prefill_attention,seconds";

    public string ToCsv() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{PrefillTokens},{DecodeSequences},{ContextTokens},{PrefillAttention},{Seconds:R}");
}
