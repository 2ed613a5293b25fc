using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary>The <c>--port</c> option of the verbs that listen.</summary>
internal static class PortOption
{
    public static Option<int> Create(int defaultPort)
    {
        var port = new Option<int>("--port") { Description = "TCP port to listen on", DefaultValueFactory = _ => defaultPort };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var value and (< 0 or > 65535))
                r.AddError($"--port must be in [0, 65535], got {value}");
        });
        return port;
    }
}
