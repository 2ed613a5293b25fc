using System.Text.Json.Nodes;

namespace Strata.Templates.Tests;

/// <summary>The public surface the serving engine uses: parse once, render many conversations.</summary>
public sealed class ChatTemplateTests
{
    private const string Template = "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

    [Fact]
    public void Parse_SameSource_ReturnsTheCachedTemplate()
    {
        Assert.Same(ChatTemplate.Parse(Template), ChatTemplate.Parse(Template));
    }

    [Fact]
    public void Render_Conversation_UsesMessagesTokensAndGenerationPrompt()
    {
        var input = new ChatTemplateInput
        {
            Messages = [new JsonObject { ["role"] = "user", ["content"] = "hi" }],
            AddGenerationPrompt = true,
            BosToken = "<s>",
        };

        Assert.Equal("<s><user>hi<assistant>", ChatTemplate.Parse(Template).Render(input));
    }

    [Fact]
    public void Render_StructuredMessages_ExposeContentPartsAndToolCalls()
    {
        const string template = "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% elif m.content %}{% for p in m.content %}[{{ p.type }}:{{ p.text }}]{% endfor %}{% endif %}{% for c in m.tool_calls or [] %}{{ c.function.name }}({{ c.function.arguments | tojson }}){% endfor %}{% endfor %}";
        var messages = JsonNode.Parse("""
            [{"role": "user", "content": [{"type": "text", "text": "look"}, {"type": "image"}]},
             {"role": "assistant", "content": null, "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"x": 1}}}]}]
            """)!.AsArray();

        var rendered = ChatTemplate.Parse(template).Render(new ChatTemplateInput { Messages = messages });

        Assert.Equal("[text:look][image:]f({\"x\": 1})", rendered);
    }

    [Fact]
    public void Render_Tools_AreUndefinedUnlessGiven()
    {
        var template = ChatTemplate.Parse("{{ tools is defined }}{% if tools %}:{{ tools[0].function.name }}{% endif %}");
        var tools = JsonNode.Parse("""[{"type": "function", "function": {"name": "get_weather"}}]""");

        Assert.Equal("False", template.Render(new ChatTemplateInput { Messages = [] }));
        Assert.Equal("True:get_weather", template.Render(new ChatTemplateInput { Messages = [], Tools = tools }));
    }

    [Fact]
    public void Render_ExtraVariables_AreVisibleToTheTemplate()
    {
        var input = new ChatTemplateInput
        {
            Messages = [],
            Variables = new Dictionary<string, JsonNode?> { ["enable_thinking"] = false, ["reasoning_effort"] = "high" },
        };

        Assert.Equal("False high", ChatTemplate.Parse("{{ enable_thinking }} {{ reasoning_effort }}").Render(input));
    }

    [Fact]
    public void Render_StrftimeNow_ReadsTheInjectedClock()
    {
        var input = new ChatTemplateInput { Messages = [], Clock = FixedClock.CorpusDate };

        var rendered = ChatTemplate.Parse("{{ strftime_now('%Y-%m-%d|%d %b %Y|%B %d, %Y|%H:%M:%S %A') }}").Render(input);

        Assert.Equal("2026-11-21|21 Nov 2026|November 21, 2026|12:00:00 Saturday", rendered);
    }

    [Fact]
    public void Render_SameTemplateOnManyThreads_GivesTheSameResult()
    {
        var template = ChatTemplate.Parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}");
        var messages = new JsonArray(Enumerable.Range(0, 50).Select(_ => (JsonNode?)new JsonObject()).ToArray());

        var results = Enumerable.Range(0, 64).AsParallel()
            .Select(_ => template.Render(new ChatTemplateInput { Messages = (JsonArray)messages.DeepClone() }))
            .ToList();

        Assert.All(results, r => Assert.Equal("50", r));
    }

    [Fact]
    public void Render_GenerationBlock_RendersItsBody()
    {
        Assert.Equal("a", Jinja.Render("{% generation %}a{% endgeneration %}"));
    }
}
