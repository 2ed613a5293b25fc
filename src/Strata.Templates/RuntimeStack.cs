using System.Runtime.CompilerServices;

namespace Strata.Templates;

/// <summary>
/// Guards the recursive parts of parsing and rendering: a deeply nested or self-recursive template
/// becomes a template error instead of a stack overflow, which .NET cannot catch.
/// </summary>
internal static class RuntimeStack
{
    public static void EnsureRoom()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new TemplateRuntimeException("the template nests or recurses too deeply");
    }
}
