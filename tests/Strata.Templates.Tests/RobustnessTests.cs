using System.Text.Json.Nodes;

namespace Strata.Templates.Tests;

/// <summary>Broken templates and odd inputs end in a <see cref="TemplateException"/>, never in another exception type.</summary>
public sealed class RobustnessTests
{
    private static readonly JsonArray Conversation = JsonNode.Parse("""
        [{"role": "system", "content": "s"},
         {"role": "user", "content": [{"type": "text", "text": "hi"}]},
         {"role": "assistant", "content": null, "reasoning_content": "r",
          "tool_calls": [{"id": "abcdefghi", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
         {"role": "tool", "tool_call_id": "abcdefghi", "content": "42"},
         {"role": "user", "content": "thanks"}]
        """)!.AsArray();

    private static readonly JsonNode Tools = JsonNode.Parse("""
        [{"type": "function", "function": {"name": "f", "description": "d",
          "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "array", "items": {"type": "string"}}}, "required": ["a"]}}}]
        """)!;

    [Fact]
    public void Render_CorpusTemplatesWithToolsAndStructuredContent_OnlyFailWithTemplateException()
    {
        foreach (var source in CorpusCase.All.Select(c => c.TemplateSource).Distinct())
        {
            var input = new ChatTemplateInput { Messages = (JsonArray)Conversation.DeepClone(), Tools = Tools.DeepClone(), AddGenerationPrompt = true };

            AssertOnlyTemplateErrors(() => ChatTemplate.Parse(source).Render(input));
        }
    }

    [Fact]
    public void Parse_MutilatedCorpusTemplates_OnlyFailWithTemplateException()
    {
        var random = new Random(12345);
        foreach (var source in CorpusCase.All.Select(c => c.TemplateSource).Distinct())
        {
            for (var i = 0; i < 20; i++)
            {
                var start = random.Next(source.Length);
                var mutilated = source.Remove(start, Math.Min(random.Next(1, 40), source.Length - start));
                var input = new ChatTemplateInput { Messages = (JsonArray)Conversation.DeepClone(), AddGenerationPrompt = true };

                AssertOnlyTemplateErrors(() => ChatTemplate.Parse(mutilated).Render(input));
            }
        }
    }

    private static void AssertOnlyTemplateErrors(Action render)
    {
        try
        {
            render();
        }
        catch (TemplateException)
        {
            // A clear template error is the expected failure.
        }
    }
}
