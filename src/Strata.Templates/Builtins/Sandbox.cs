using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>
/// Hugging Face renders in Jinja's ImmutableSandboxedEnvironment, where methods that modify a list
/// or dict in place are refused. The refusal is an undefined value that fails when called.
/// </summary>
internal static class Sandbox
{
    public static Value Refused(Value owner, string method) =>
        UndefinedValue.WithHint($"access to attribute '{method}' of '{owner.TypeName}' object is unsafe.");
}
