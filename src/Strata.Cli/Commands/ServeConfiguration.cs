using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Text.Json;

namespace Strata.Cli.Commands;

/// <summary>
/// The <c>strata serve</c> options that come from outside the command line. Every option <c>--some-name</c> may also be
/// set by the variable <c>STRATA_SOME_NAME</c> and by the key <c>"some-name"</c> of a JSON config file
/// (<c>--config FILE</c> or <c>STRATA_CONFIG</c>). The command line wins over the environment, which wins over the
/// file, which wins over the defaults. A repeatable option (<c>--api-key</c>) takes a JSON array in the file and
/// semicolon-separated values in its variable (as <c>ASPNETCORE_URLS</c>; an <c>--slo</c> value holds commas), and the
/// list from the strongest source replaces the others whole.
/// </summary>
internal sealed class ServeConfiguration
{
    public const string ConfigVariable = "STRATA_CONFIG";
    private const string ConfigOptionName = "--config";

    private readonly List<Setting> _settings;

    private ServeConfiguration(List<Setting> settings) => _settings = settings;

    /// <summary>The <c>--config FILE</c> option for the serve command.</summary>
    public static Option<string?> CreateOption() => new(ConfigOptionName)
    {
        Description = $"JSON file of serve options, like {{\"port\": 8001, \"kv-cache-memory\": \"4GiB\"}} (or {ConfigVariable}); "
            + "every option may also be set as STRATA_NAME (STRATA_KV_CACHE_MEMORY=4GiB); the command line wins over the environment, the environment over the file",
        HelpName = "file",
    };

    /// <summary>
    /// Parses <paramref name="args"/> again for <paramref name="root"/> with the settings of every serve option that the
    /// command line left unset. Throws with a clear message when the config file cannot be read or names an unknown
    /// option, or when a value from the environment or the file is invalid (saying where it came from).
    /// </summary>
    public static ParseResult Apply(Command root, IReadOnlyList<string> args, ParseResult commandLine, Func<string, string?> environment)
    {
        var configuration = Gather(commandLine, environment);
        var parsed = root.Parse([.. args, .. configuration.Arguments]);
        if (parsed.Errors.Count == 0)
            return parsed;
        throw new ArgumentException(string.Join("; ", parsed.Errors.Select(error =>
            error.SymbolResult is OptionResult { Option: var option } && configuration.SourceOf(option) is { } source ? $"{error.Message} (from {source})" : error.Message)));
    }

    private static ServeConfiguration Gather(ParseResult commandLine, Func<string, string?> environment)
    {
        var config = commandLine.CommandResult.Command.Options.OfType<Option<string?>>().Single(o => o.Name == ConfigOptionName);
        var configurable = commandLine.CommandResult.Command.Options
            .Where(o => o != config && o is not HelpOption && o.Name.StartsWith("--", StringComparison.Ordinal))
            .ToList();
        var configPath = commandLine.GetValue(config) ?? NonEmpty(environment(ConfigVariable));
        var file = configPath is null ? [] : ReadFile(configPath, configurable);
        var settings = new List<Setting>();
        foreach (var option in configurable)
        {
            if (commandLine.GetResult(option) is OptionResult { Implicit: false })
                continue;
            var variable = VariableName(option);
            if (NonEmpty(environment(variable)) is { } text)
            {
                var values = option.Arity.MaximumNumberOfValues > 1 ? text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [text];
                settings.AddRange(values.Select(v => new Setting(option, v, variable)));
            }
            else if (file.TryGetValue(KeyName(option), out var fromFile))
            {
                settings.AddRange(fromFile.Select(v => new Setting(option, v, $"{configPath} \"{KeyName(option)}\"")));
            }
        }
        return new ServeConfiguration(settings);
    }

    /// <summary>Arguments that set these options, for appending to the command line (<c>--name=value</c>, so no value reads as an option).</summary>
    private IEnumerable<string> Arguments => _settings.Select(s => $"{s.Option.Name}={s.Value}");

    /// <summary>Where an option's value came from, when not from the command line.</summary>
    private string? SourceOf(Option option) => _settings.FirstOrDefault(s => s.Option == option)?.Source;

    public static string VariableName(Option option) => "STRATA_" + KeyName(option).Replace('-', '_').ToUpperInvariant();

    private static string KeyName(Option option) => option.Name.TrimStart('-');

    private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static Dictionary<string, string[]> ReadFile(string path, List<Option> configurable)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ArgumentException($"cannot read the config file {path}: {ex.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"the config file {path} must hold one JSON object of serve options");
            var known = configurable.ToDictionary(KeyName);
            var values = new Dictionary<string, string[]>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!known.TryGetValue(property.Name, out var option))
                    throw new ArgumentException($"the config file {path} sets \"{property.Name}\", which is not a serve option (known: {string.Join(", ", known.Keys)})");
                values[property.Name] = Values(property.Value, option.Arity.MaximumNumberOfValues > 1)
                    ?? throw new ArgumentException($"the config file {path} gives \"{property.Name}\" a {property.Value.ValueKind}; give a string, number or boolean{(option.Arity.MaximumNumberOfValues > 1 ? ", or an array of them" : "")}");
            }
            return values;
        }
    }

    private static string[]? Values(JsonElement value, bool many) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Number => [value.GetRawText()],
        JsonValueKind.True => ["true"],
        JsonValueKind.False => ["false"],
        JsonValueKind.Array when many && value.EnumerateArray().All(item => item.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object or JsonValueKind.Null)) =>
            value.EnumerateArray().SelectMany(item => Values(item, many: false)!).ToArray(),
        _ => null,
    };

    private sealed record Setting(Option Option, string Value, string Source);
}
