namespace Strata.Cli.Hardening;

/// <summary>One request of a soak: where it goes, its JSON body, what a correct answer holds, and whether its client vanishes.</summary>
internal sealed record SoakRequest(string Path, byte[] Body, bool Stream, int Choices, Departure? Departure);
