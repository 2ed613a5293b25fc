using System.Text.Json.Nodes;
using Strata.TestSupport;

namespace Strata.Templates.Tests;

/// <summary>One case of the shared chat-template corpus: a template, a conversation and what Jinja2 rendered (or that it failed).</summary>
internal sealed record CorpusCase(string Template, string Conversation, bool AddGenerationPrompt, string TemplateSource, ChatTemplateInput Input, string? Expected)
{
    private static readonly Lazy<IReadOnlyList<CorpusCase>> AllCases = new(Load);

    public static IReadOnlyList<CorpusCase> All => AllCases.Value;

    public static CorpusCase Find(string template, string conversation, bool addGenerationPrompt) =>
        All.Single(c => c.Template == template && c.Conversation == conversation && c.AddGenerationPrompt == addGenerationPrompt);

    private static List<CorpusCase> Load()
    {
        var cases = new List<CorpusCase>();
        foreach (var path in Directory.GetFiles(SharedData.ChatTemplatesDir, "*.cases.json").Order(StringComparer.Ordinal))
        {
            var file = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var templateFile = file["template"]!.GetValue<string>();
            var source = File.ReadAllText(Path.Combine(SharedData.ChatTemplatesDir, templateFile));
            var template = Path.GetFileNameWithoutExtension(templateFile);
            foreach (var item in file["cases"]!.AsArray())
            {
                var conversation = item!["conversation"]!.GetValue<string>();
                var addGenerationPrompt = item["add_generation_prompt"]!.GetValue<bool>();
                var input = new ChatTemplateInput
                {
                    Messages = file["messages"]![conversation]!.DeepClone().AsArray(),
                    AddGenerationPrompt = addGenerationPrompt,
                    BosToken = file["bos_token"]!.GetValue<string>(),
                    EosToken = file["eos_token"]!.GetValue<string>(),
                    Clock = FixedClock.CorpusDate,
                };
                cases.Add(new CorpusCase(template, conversation, addGenerationPrompt, source, input, item["expected"]?.GetValue<string>()));
            }
        }
        return cases;
    }
}
