using System.Text.Json;

namespace Strata.Server.Tools;

/// <summary>A function the client offers the model: its name and the JSON schema of its arguments.</summary>
internal sealed record ToolFunction(string Name, JsonElement Parameters);
