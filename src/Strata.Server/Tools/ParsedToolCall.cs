namespace Strata.Server.Tools;

/// <summary>A tool call read from model output: its name once known, its arguments' JSON text so far, and whether it is complete.</summary>
internal sealed record ParsedToolCall(string? Name, string Arguments, bool Complete);
