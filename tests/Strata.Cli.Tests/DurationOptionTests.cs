using System.CommandLine;
using Strata.Cli.Commands;

namespace Strata.Cli.Tests;

public sealed class DurationOptionTests
{
    [Theory]
    [InlineData("200ms", 0.2)]
    [InlineData("1.5s", 1.5)]
    [InlineData("30m", 1800)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("00:01:30", 90)]
    public void Parse_Duration_Seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationOption.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("ten seconds")]
    [InlineData("5x")]
    public void Parse_NotAPositiveDuration_Null(string text) => Assert.Null(DurationOption.Parse(text));

    [Theory]
    [InlineData("--cache-ttl", "90m", 5400)]
    [InlineData("--drain-timeout", "1500ms", 1.5)]
    [InlineData("--remote-cache-timeout", "2s", 2)]
    [InlineData("--lease-ttl", "1h", 3600)]
    [InlineData("--aging", "2m", 120)]
    [InlineData("--register-ttl", "15s", 15)]
    public void ServeOptions_TakeEveryUnit(string option, string text, double seconds)
    {
        var parsed = new RootCommand { ServeCommand.Create() }.Parse(["serve", option, text]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), parsed.GetValue<TimeSpan?>(option));
    }

    [Fact]
    public void ServeOption_NotADuration_ErrorNamesTheOption()
    {
        var parsed = new RootCommand { ServeCommand.Create() }.Parse(["serve", "--lease-ttl", "soon"]);

        Assert.Contains(parsed.Errors, e => e.Message == $"--lease-ttl must be a duration like {DurationOption.Examples}, got 'soon'");
    }
}
