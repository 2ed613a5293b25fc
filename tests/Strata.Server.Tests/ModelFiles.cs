using Strata.Models.Gguf;
using Strata.TestSupport;

namespace Strata.Server.Tests;

/// <summary>The TinyStories model, and copies of it with metadata changed (a chat template, a longer context).</summary>
internal static class ModelFiles
{
    private static readonly Lock WriteLock = new();

    public static string Stories => SharedData.Model("tinyllamas-stories-260k-f32.gguf");

    /// <summary>A copy whose chat template writes the BOS text and then just the message contents, so a one-message chat has exactly the completion prompt's tokens.</summary>
    public static string StoriesWithBosTemplate => StoriesWith("bos-template", "tokenizer.chat_template",
        GgufValue.Of("{{ bos_token }}{% for message in messages %}{{ message['content'] }}{% endfor %}"));

    /// <summary>A copy that claims a 4096-token context: the output is no longer sensible that far, but prefill takes long enough to interrupt.</summary>
    public static string StoriesLongContext => StoriesWith("ctx4096", "llama.context_length", GgufValue.Of(4096u));

    /// <summary>A copy with one of the shared corpus's chat templates (<c>../shared/chat-templates/NAME.jinja</c>).</summary>
    /// <remarks>Its context is 4096 tokens, as tool prompts spelled in TinyStories' small vocabulary are long.</remarks>
    public static string StoriesWithCorpusTemplate(string name) => StoriesWith($"template-{name}-ctx4096",
        ("tokenizer.chat_template", GgufValue.Of(File.ReadAllText(Path.Combine(SharedData.ChatTemplatesDir, name + ".jinja")))),
        ("llama.context_length", GgufValue.Of(4096u)));

    // Written once into the temp directory (atomically, as other test runs may race for it) and reused.
    private static string StoriesWith(string name, string key, GgufValue value) => StoriesWith(name, (key, value));

    private static string StoriesWith(string name, params (string Key, GgufValue Value)[] changes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"strata-server-tests-stories260k-{name}.gguf");
        lock (WriteLock)
        {
            if (!File.Exists(path))
            {
                var temporary = $"{path}.{Environment.ProcessId}.tmp";
                Write(temporary, changes);
                File.Move(temporary, path, overwrite: true);
            }
        }
        return path;
    }

    private static void Write(string path, (string Key, GgufValue Value)[] changes)
    {
        using var source = GgufFile.Open(Stories);
        var writer = new GgufWriter { Alignment = source.Alignment };
        foreach (var (key, value) in source.Metadata.Entries.Where(e => changes.All(c => c.Key != e.Key)))
            writer.Add(key, value);
        foreach (var (key, value) in changes)
            writer.Add(key, value);
        foreach (var tensor in source.Tensors)
            writer.AddTensor(tensor.Name, tensor.Type, [.. tensor.Dimensions], stream => stream.Write(source.TensorRows(tensor, 0, checked((int)tensor.Rows))));
        writer.Write(path);
    }
}
