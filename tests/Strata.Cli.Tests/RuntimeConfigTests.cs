using System.Text.Json;

namespace Strata.Cli.Tests;

public sealed class RuntimeConfigTests
{
    [Fact]
    public void Strata_RunsWithServerGcNotConcurrent()
    {
        // The CLI's runtimeconfig is every verb's: server GC for the simulated hour's gigabytes, still non-concurrent.
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "strata.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
    }
}
