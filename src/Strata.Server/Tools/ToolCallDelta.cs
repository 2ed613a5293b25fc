namespace Strata.Server.Tools;

/// <summary>What a streamed chunk adds to tool call <see cref="Index"/>: its id and name the first time, then argument text.</summary>
internal sealed record ToolCallDelta(int Index, string? Id, string? Name, string Arguments);
