namespace Strata.Cli;

/// <summary>
/// Finds the read-only model directory <c>../shared/models</c> beside the repository, searching upward from the
/// executable for the repository root; <c>STRATA_MODEL</c> overrides the default model.
/// </summary>
internal static class SharedModels
{
    public const string DefaultModelFile = "tinyllamas-stories-260k-f32.gguf";

    public static string DefaultModel => Environment.GetEnvironmentVariable("STRATA_MODEL") is { Length: > 0 } path ? path : Path(DefaultModelFile);

    public static string Path(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Strata.slnx")))
                return System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "models", fileName));
        }
        throw new FileNotFoundException($"cannot find ../shared/models/{fileName}: run strata from its repository or set STRATA_MODEL");
    }
}
