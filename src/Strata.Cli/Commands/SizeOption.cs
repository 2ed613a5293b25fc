using System.CommandLine;

namespace Strata.Cli.Commands;

/// <summary>An option that takes a size in bytes: <c>2GiB</c>, <c>512MiB</c>, <c>1G</c> or a plain number.</summary>
internal static class SizeOption
{
    public static Option<long?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "size",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (ByteSize.TryParse(text, out var bytes) && bytes > 0)
                return bytes;
            result.AddError($"{name} must be a size like 2GiB, 512MiB, 1G or a number of bytes, got '{text}'");
            return null;
        },
    };
}
