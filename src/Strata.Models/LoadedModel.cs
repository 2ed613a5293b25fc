using Strata.Models.Gguf;
using Strata.Models.Llama;
using Strata.Models.Tokenizers;

namespace Strata.Models;

/// <summary>A GGUF file opened for inference: its mapped weights bound to a model, its tokenizer and chat template.</summary>
public sealed class LoadedModel : IDisposable
{
    private LoadedModel(string path, GgufFile file, LlamaModel model, Tokenizer tokenizer)
    {
        Path = path;
        File = file;
        Model = model;
        Tokenizer = tokenizer;
        Name = System.IO.Path.GetFileNameWithoutExtension(path);
        ChatTemplate = file.Metadata.GetStringOrNull("tokenizer.chat_template");
    }

    public string Path { get; }

    /// <summary>The model id clients use: the file name without its extension.</summary>
    public string Name { get; }

    public GgufFile File { get; }

    public LlamaModel Model { get; }

    public Tokenizer Tokenizer { get; }

    /// <summary>The Jinja chat template from the GGUF metadata, if the model has one.</summary>
    public string? ChatTemplate { get; }

    public ModelConfig Config => Model.Config;

    public static LoadedModel Load(string path)
    {
        var file = GgufFile.Open(path);
        try
        {
            var model = LlamaModel.Load(file);
            var tokenizer = Tokenizer.FromGguf(file.Metadata);
            if (tokenizer.VocabSize != model.Config.VocabSize)
                throw new GgufFormatException($"{path}: the tokenizer has {tokenizer.VocabSize} tokens but the model {model.Config.VocabSize}");
            return new LoadedModel(path, file, model, tokenizer);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Model.Dispose();
        File.Dispose();
    }
}
