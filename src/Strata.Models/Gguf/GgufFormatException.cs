namespace Strata.Models.Gguf;

/// <summary>A GGUF file that cannot be read: truncated, corrupt, an unsupported version, or missing required data.</summary>
public sealed class GgufFormatException(string message) : Exception(message);
