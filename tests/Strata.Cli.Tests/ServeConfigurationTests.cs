using System.CommandLine;
using Strata.Cli.Commands;

namespace Strata.Cli.Tests;

/// <summary>Where <c>strata serve</c> options come from: command line over STRATA_* variables over the config file over defaults.</summary>
public sealed class ServeConfigurationTests : IDisposable
{
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"strata-{Guid.NewGuid():N}.json");
    private readonly Dictionary<string, string> _environment = [];

    [Fact]
    public void Apply_NothingSet_KeepsDefaults()
    {
        var parsed = Parse();

        Assert.Equal(8000, parsed.GetValue<int>("--port"));
        Assert.Equal("127.0.0.1", parsed.GetValue<string>("--host"));
        Assert.Empty(parsed.GetValue<string[]>("--api-key") ?? []);
    }

    [Fact]
    public void Apply_EachSource_OverridesTheWeakerOnes()
    {
        File.WriteAllText(_config, """
            // comments are allowed
            { "port": 8001, "host": "0.0.0.0", "max-num-seqs": 7, "kv-cache-memory": "64MiB", "api-key": ["file-a", "file-b"], "no-prefix-cache": true, }
            """);
        _environment["STRATA_PORT"] = "8002";
        _environment["STRATA_MAX_NUM_SEQS"] = "9";
        _environment["STRATA_API_KEY"] = "env-a; env-b";

        var fileOnly = Parse("--config", _config, "--port", "8003");

        Assert.Equal(8003, fileOnly.GetValue<int>("--port"));
        Assert.Equal(9, fileOnly.GetValue<int>("--max-num-seqs"));
        Assert.Equal("0.0.0.0", fileOnly.GetValue<string>("--host"));
        Assert.Equal(64L << 20, fileOnly.GetValue<long?>("--kv-cache-memory"));
        Assert.True(fileOnly.GetValue<bool>("--no-prefix-cache"));
        Assert.Equal(["env-a", "env-b"], fileOnly.GetValue<string[]>("--api-key")!);
        Assert.Equal(["cli"], Parse("--config", _config, "--api-key", "cli").GetValue<string[]>("--api-key")!);
    }

    [Fact]
    public void Apply_RepeatedOptionFromVariable_SplitsAtSemicolonsOnly()
    {
        _environment["STRATA_SLO"] = "priority:ttft=1s,tpot=200ms;flex:ttft=30s";

        Assert.Equal(["priority:ttft=1s,tpot=200ms", "flex:ttft=30s"], Parse().GetValue<string[]>("--slo")!);
    }

    [Fact]
    public void Apply_ConfigFromVariable_IsRead()
    {
        File.WriteAllText(_config, """{ "port": 8005 }""");
        _environment["STRATA_CONFIG"] = _config;

        Assert.Equal(8005, Parse().GetValue<int>("--port"));
    }

    [Fact]
    public void Apply_InvalidValueFromVariable_SaysWhereItCameFrom()
    {
        _environment["STRATA_PORT"] = "70000";

        var error = Assert.Throws<ArgumentException>(() => Parse());

        Assert.Contains("--port must be in [0, 65535], got 70000 (from STRATA_PORT)", error.Message);
    }

    [Theory]
    [InlineData("""{ "prot": 8001 }""", "\"prot\", which is not a serve option")]
    [InlineData("""{ "port": [1, 2] }""", "\"port\" a Array")]
    [InlineData("""[ 1 ]""", "must hold one JSON object")]
    [InlineData("""{ "port": """, "cannot read the config file")]
    public void Apply_BadConfigFile_FailsClearly(string json, string expected)
    {
        File.WriteAllText(_config, json);

        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => Parse("--config", _config)).Message);
    }

    [Fact]
    public void Apply_ApiKeyFromVariable_NeverInAnError()
    {
        _environment["STRATA_API_KEY"] = "--port";
        _environment["STRATA_PORT"] = "nope";

        var error = Assert.Throws<ArgumentException>(() => Parse());

        Assert.DoesNotContain("--port=", error.Message);
        Assert.Contains("STRATA_PORT", error.Message);
    }

    public void Dispose() => File.Delete(_config);

    private ParseResult Parse(params string[] args)
    {
        var root = new RootCommand { ServeCommand.Create() };
        string[] all = ["serve", .. args];
        return ServeConfiguration.Apply(root, all, root.Parse(all), name => _environment.GetValueOrDefault(name));
    }
}
