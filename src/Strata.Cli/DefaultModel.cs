namespace Strata.Cli;

/// <summary>
/// The model a command uses when none is given: <c>$STRATA_MODEL</c>, else the TinyStories test model in
/// <c>../shared/models</c> beside the repository (found by searching upward from the executable for Strata.slnx).
/// </summary>
internal static class DefaultModel
{
    public const string EnvironmentVariable = "STRATA_MODEL";
    private const string FileName = "tinyllamas-stories-260k-f32.gguf";

    public static string Resolve(string? given)
    {
        if (!string.IsNullOrEmpty(given))
            return given;
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
            return fromEnvironment;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models", FileName));
        }
        throw new FileNotFoundException($"no model given: pass -m MODEL or set {EnvironmentVariable} (Strata.slnx not found above {AppContext.BaseDirectory})");
    }
}
