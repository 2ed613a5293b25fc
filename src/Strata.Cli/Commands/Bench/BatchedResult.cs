namespace Strata.Cli.Commands.Bench;

/// <summary>Decode speed of <see cref="Batch"/> sequences stepping together, after a prompt each.</summary>
internal sealed record BatchedResult(int Batch, double PrefillTokS, double DecodeTokS);
