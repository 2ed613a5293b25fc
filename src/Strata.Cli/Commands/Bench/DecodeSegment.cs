namespace Strata.Cli.Commands.Bench;

/// <summary><paramref name="Tokens"/> decode steps of timed run <paramref name="Run"/>, taking <paramref name="Seconds"/>.</summary>
internal readonly record struct DecodeSegment(int Run, int Tokens, double Seconds);
