using System.CommandLine;
using Strata.KvCache;
using Strata.Models.Gguf;
using Strata.Models.Llama;

namespace Strata.Cli.Commands;

/// <summary><c>strata inspect MODEL</c>: prints a GGUF file's metadata and tensor table.</summary>
internal static class InspectCommand
{
    private const int MaxArrayItemsShown = 8;

    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "Path to a GGUF file" };
        var command = new Command("inspect", "Print a GGUF file's metadata and tensor table") { model };
        command.SetAction(result => CliRunner.Run(() => Inspect(result.GetRequiredValue(model))));
        return command;
    }

    private static int Inspect(string path)
    {
        using var file = GgufFile.Open(path);
        var o = Console.Out;
        o.WriteLine($"file: {file.Path}");
        o.WriteLine($"gguf version: {file.Version}, alignment {file.Alignment}, {file.Metadata.Count} metadata keys, {file.Tensors.Count} tensors, data at offset {file.DataOffset}");
        o.WriteLine();
        foreach (var (key, value) in file.Metadata.Entries)
            o.WriteLine($"{key} = {Format(value)}");
        o.WriteLine();
        o.WriteLine($"{"tensor",-40} {"type",-6} {"shape",-24} {"offset",14} {"bytes",14}");
        foreach (var t in file.Tensors)
            o.WriteLine($"{t.Name,-40} {t.Type,-6} {t.Shape,-24} {t.Offset,14} {t.ByteSize,14}");
        var parameters = file.Tensors.Sum(t => t.ElementCount);
        o.WriteLine($"total: {parameters:N0} parameters, {file.Tensors.Sum(t => t.ByteSize):N0} bytes of tensor data");
        o.WriteLine();
        DescribeModel(file, o);
        return 0;
    }

    /// <summary>What the model runtime makes of the file: its blocks and what a token costs in the KV cache.</summary>
    private static void DescribeModel(GgufFile file, TextWriter o)
    {
        ModelConfig c;
        try
        {
            c = ModelConfig.FromGguf(file);
        }
        catch (Exception error) when (error is NotSupportedException or GgufFormatException)
        {
            o.WriteLine($"model: not loadable here ({error.Message})");
            return;
        }
        o.WriteLine($"model: {c.Architecture}, {c.LayerCount} layers, embedding {c.EmbeddingLength}, {c.HeadCount} heads, vocabulary {c.VocabSize}");
        o.WriteLine(c.LatentAttention is { } a
            ? $"attention: multi-head latent (kv rank {a.KvRank}, rope {a.RopeDim}, query rank {a.QueryRank}, heads of {a.QueryHeadDim} / {a.ValueDim})"
            : $"attention: grouped-query ({c.KvHeadCount} KV heads of {c.HeadDim})");
        if (c.Experts is { } e)
        {
            var shared = e.SharedFeedForwardLength > 0 ? $", shared experts of {e.SharedFeedForwardLength}{(e.SharedGate ? " (gated)" : "")}" : "";
            var dense = e.LeadingDenseLayers > 0 ? $", {e.LeadingDenseLayers} leading dense layers" : "";
            o.WriteLine($"feed-forward: {e.Count} experts of {e.FeedForwardLength}, {e.UsedCount} per token ({e.Gating.ToString().ToLowerInvariant()}"
                + $"{(e.NormalizeWeights ? ", normalised" : "")}{(e.WeightsScale is not (0f or 1f) ? $", scaled {e.WeightsScale}" : "")}){shared}{dense}");
        }
        else
        {
            o.WriteLine($"feed-forward: dense SwiGLU of {c.FeedForwardLength}");
        }
        var perToken = c.KvLayout(1, KvDataType.F16).BytesPerToken;
        var full = c.FullKvBytesPerToken(KvDataType.F16);
        o.WriteLine(perToken == full
            ? $"kv cache: {perToken:N0} bytes per token (F16)"
            : $"kv cache: {perToken:N0} bytes per token (F16), {(double)full / perToken:F1}x less than full keys and values ({full:N0})");
    }

    private static string Format(GgufValue value)
    {
        if (value.Raw is not GgufArray array)
            return value.Type == GgufValueType.String ? Quote((string)value.Raw) : value.ToString();
        var shown = array.Items.Cast<object>().Take(MaxArrayItemsShown)
            .Select(item => item is string s ? Quote(s) : item is GgufArray a ? $"[{a.ElementType} × {a.Count}]" : Convert.ToString(item, System.Globalization.CultureInfo.InvariantCulture));
        var more = array.Count > MaxArrayItemsShown ? $", … ({array.Count} items)" : "";
        return $"[{string.Join(", ", shown)}{more}]";
    }

    private static string Quote(string s)
    {
        var escaped = s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\"", "\\\"");
        return escaped.Length > 200 ? $"\"{escaped[..200]}…\" ({s.Length} chars)" : $"\"{escaped}\"";
    }
}
