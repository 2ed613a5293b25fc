using System.CommandLine;
using System.Text;
using Strata.Models.Gguf;
using Strata.Models.Tokenizers;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata tokenize -m MODEL -p TEXT [--ids] [--no-bos]</c>: tokenizes text with a model's tokenizer, with the same
/// defaults as llama.cpp's llama-tokenize (BOS as the model asks, special-token texts parsed).
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = ModelOption.Create();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Text to tokenize" };
        var file = new Option<string>("--file", "-f") { Description = "Read the text from a file, verbatim" };
        var ids = new Option<bool>("--ids") { Description = "Print only the ids, as a JSON array" };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not add BOS/EOS even if the model asks for them" };
        var noParseSpecial = new Option<bool>("--no-parse-special") { Description = "Treat special-token texts such as <|im_end|> as plain text" };
        var command = new Command("tokenize", "Print the token ids of a text") { model, prompt, file, ids, noBos, noParseSpecial };
        command.SetAction(result => CliRunner.Run(() => Tokenize(
            ModelOption.Resolve(result.GetValue(model)),
            ReadText(result.GetValue(prompt), result.GetValue(file)),
            result.GetValue(ids),
            addSpecialIfWanted: !result.GetValue(noBos),
            parseSpecial: !result.GetValue(noParseSpecial))));
        return command;
    }

    private static string ReadText(string? prompt, string? file)
    {
        if (file is not null)
            return Encoding.UTF8.GetString(File.ReadAllBytes(file)); // verbatim: a BOM or final newline is text too
        return prompt ?? throw new ArgumentException("give the text with -p TEXT or -f FILE");
    }

    private static int Tokenize(string modelPath, string text, bool idsOnly, bool addSpecialIfWanted, bool parseSpecial)
    {
        Tokenizer tokenizer;
        using (var file = GgufFile.Open(modelPath))
            tokenizer = Tokenizer.FromGguf(file.Metadata);

        var tokens = tokenizer.Encode(text, addSpecial: addSpecialIfWanted && tokenizer.AddBos, parseSpecial);
        if (idsOnly)
        {
            Console.Out.WriteLine($"[{string.Join(", ", tokens)}]");
            return 0;
        }
        foreach (var id in tokens)
            Console.Out.WriteLine($"{id,6} -> '{Encoding.UTF8.GetString(tokenizer.PieceBytes(id, renderSpecial: true))}'");
        return 0;
    }
}
