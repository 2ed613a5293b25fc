using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary>The <c>-m/--model</c> option shared by the verbs; without it the default model is used.</summary>
internal static class ModelOption
{
    public static Option<string?> Create() => new("--model", "-m")
    {
        Description = $"GGUF model file (default: STRATA_MODEL, else {SharedModels.DefaultModelFile} in shared/models above the current directory or in STRATA_MODELS_DIR / ~/.local/share/strata/models)",
    };

    public static string Resolve(string? given) => given ?? SharedModels.DefaultModel;
}
