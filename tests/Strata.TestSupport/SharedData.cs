namespace Strata.TestSupport;

/// <summary>Locates the repository and the read-only test data in <c>../shared</c> beside it.</summary>
public static class SharedData
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    public static string RepoRoot => Root.Value;

    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string ModelsDir => Path.Combine(SharedDir, "models");

    public static string ChatTemplatesDir => Path.Combine(SharedDir, "chat-templates");

    public static string Model(string fileName) => Path.Combine(ModelsDir, fileName);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Strata.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Strata.slnx not found above " + AppContext.BaseDirectory);
    }
}
