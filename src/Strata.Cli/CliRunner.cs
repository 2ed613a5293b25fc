namespace Strata.Cli;

/// <summary>Runs a command body so that any failure becomes one line on stderr and a non-zero exit code.</summary>
internal static class CliRunner
{
    public const int Failure = 1;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("STRATA_DEBUG") is null)
        {
            Console.Error.WriteLine($"error: {Describe(ex)}");
            return Failure;
        }
    }

    public static Task<int> RunAsync(Func<Task<int>> body) => Task.Run(async () =>
    {
        try
        {
            return await body();
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("STRATA_DEBUG") is null)
        {
            Console.Error.WriteLine($"error: {Describe(ex)}");
            return Failure;
        }
    });

    private static string Describe(Exception ex) => ex switch
    {
        OperationCanceledException => "cancelled",
        _ => ex.Message.ReplaceLineEndings(" "),
    };
}
