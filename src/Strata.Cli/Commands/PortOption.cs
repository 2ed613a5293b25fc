using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary>The <c>--port</c> option of the verbs that listen.</summary>
internal static class PortOption
{
    /// <remarks>Range-checked by <see cref="OptionRules.MustBe"/>, which leaves a value that is no number to the parser's own error.</remarks>
    public static Option<int> Create(int defaultPort) =>
        new Option<int>("--port") { Description = "TCP port to listen on", DefaultValueFactory = _ => defaultPort }.MustBe(v => v is >= 0 and <= 65535, "must be in [0, 65535]");
}
