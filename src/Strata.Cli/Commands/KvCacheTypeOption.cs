using System.CommandLine;
using Strata.KvCache;

namespace Strata.Cli.Commands;

/// <summary>The <c>--kv-cache-dtype</c> option: how keys and values are cached (llama.cpp's <c>-ctk</c> and <c>-ctv</c> together).</summary>
internal static class KvCacheTypeOption
{
    public static Option<KvDataType> Create() => new("--kv-cache-dtype")
    {
        Description = "Type of cached keys and values: f16, f32, q8_0 or q4_0 (blocks of 32 per head, as llama.cpp's -ctk/-ctv)",
        HelpName = "f16|f32|q8_0|q4_0",
        DefaultValueFactory = _ => KvDataType.F16,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Enum.TryParse<KvDataType>(text, ignoreCase: true, out var type) && Enum.IsDefined(type) && !text.All(char.IsDigit))
                return type;
            result.AddError($"--kv-cache-dtype must be f16, f32, q8_0 or q4_0, got '{text}'");
            return default;
        },
    };
}
