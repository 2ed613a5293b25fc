using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Strata.Models.Gguf;
using Strata.Templates;

namespace Strata.Cli.Commands;

/// <summary>
/// <c>strata chat-template (-m MODEL | --template FILE) --messages FILE.json</c>: prints a chat
/// template's rendering of a conversation, exactly (no newline is added).
/// </summary>
internal static class ChatTemplateCommand
{
    private const string TemplateKey = "tokenizer.chat_template";

    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "GGUF model whose tokenizer.chat_template to render" };
        var template = new Option<string?>("--template") { Description = "Jinja template file to render instead of a model's" };
        var messages = new Option<string>("--messages") { Description = "JSON file holding the array of {role, content} messages", Required = true };
        var addGenerationPrompt = new Option<bool>("--add-generation-prompt") { Description = "End with the header of the assistant's turn" };
        var bos = new Option<string?>("--bos") { Description = "bos_token text (default: the model's BOS token)" };
        var eos = new Option<string?>("--eos") { Description = "eos_token text (default: the model's EOS token)" };
        var command = new Command("chat-template", "Render a chat template for a conversation")
        {
            model, template, messages, addGenerationPrompt, bos, eos,
        };
        command.SetAction(result => CliRunner.Run(() =>
        {
            var source = ReadSource(result.GetValue(model), result.GetValue(template));
            var input = new ChatTemplateInput
            {
                Messages = ReadMessages(result.GetRequiredValue(messages)),
                AddGenerationPrompt = result.GetValue(addGenerationPrompt),
                BosToken = result.GetValue(bos) ?? source.Bos,
                EosToken = result.GetValue(eos) ?? source.Eos,
            };
            Write(ChatTemplate.Parse(source.Text).Render(input));
            return 0;
        }));
        return command;
    }

    private static (string Text, string? Bos, string? Eos) ReadSource(string? modelPath, string? templatePath)
    {
        if ((modelPath is null) == (templatePath is null))
            throw new ArgumentException("give either -m MODEL or --template FILE");
        if (templatePath is not null)
            return (File.ReadAllText(templatePath), null, null);

        using var file = GgufFile.Open(modelPath!);
        var text = file.Metadata.GetStringOrNull(TemplateKey)
            ?? throw new InvalidOperationException($"{modelPath} has no chat template ({TemplateKey}); pass --template FILE");
        return (text, SpecialToken(file, "tokenizer.ggml.bos_token_id"), SpecialToken(file, "tokenizer.ggml.eos_token_id"));
    }

    private static string? SpecialToken(GgufFile file, string idKey)
    {
        const string tokensKey = "tokenizer.ggml.tokens";
        var id = file.Metadata.GetInt64(idKey, -1);
        var tokens = file.Metadata.GetArrayOrNull(tokensKey)?.As<string>(tokensKey);
        return tokens is not null && id >= 0 && id < tokens.Length ? tokens[id] : null;
    }

    private static JsonArray ReadMessages(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonArray
            ?? throw new FormatException($"{path} must hold a JSON array of messages");

    // Straight to the stdout stream as UTF-8 without a BOM, so the bytes are exactly the rendering.
    private static void Write(string rendered)
    {
        using var stdout = Console.OpenStandardOutput();
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(rendered);
        stdout.Write(bytes);
    }
}
