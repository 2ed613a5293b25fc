namespace Strata.Cli;

/// <summary>
/// Finds the default model and other well-known model files when no path is given. The search order, first match
/// wins: <c>STRATA_MODEL</c> (the default model only); <c>shared/models/FILE</c> in the current directory or any
/// directory above it (so a checkout's sibling <c>../shared/models</c> is found from inside it); the same beside the
/// executable or above it (<c>dotnet run</c> and the built binary); then <c>STRATA_MODELS_DIR</c>, or else the user's
/// data directory (<c>$XDG_DATA_HOME/strata/models</c>, by default <c>~/.local/share/strata/models</c>), where an
/// installed tool looks.
/// </summary>
internal static class SharedModels
{
    public const string DefaultModelFile = "tinyllamas-stories-260k-f32.gguf";

    public static string DefaultModel => Environment.GetEnvironmentVariable("STRATA_MODEL") is { Length: > 0 } path ? path : Path(DefaultModelFile);

    /// <summary>The user's model directory, where an installed tool finds files: <c>STRATA_MODELS_DIR</c> or the data directory.</summary>
    public static string UserDirectory => Environment.GetEnvironmentVariable("STRATA_MODELS_DIR") is { Length: > 0 } dir
        ? dir
        : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "strata", "models");

    public static string Path(string fileName) => Find(fileName) ?? throw new FileNotFoundException(
        $"cannot find {fileName} in shared/models above the current directory or the executable, nor in {UserDirectory}: name a model with -m or set STRATA_MODEL");

    public static string? Find(string fileName)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, "shared", "models", fileName);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        var user = System.IO.Path.Combine(UserDirectory, fileName);
        return File.Exists(user) ? user : null;
    }
}
