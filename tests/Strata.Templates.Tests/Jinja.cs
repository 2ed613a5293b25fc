using System.Text.Json.Nodes;

namespace Strata.Templates.Tests;

/// <summary>Renders a template snippet with variables given as a JSON object.</summary>
internal static class Jinja
{
    public static string Render(string source, string variablesJson = "{}")
    {
        var variables = JsonNode.Parse(variablesJson)!.AsObject().ToDictionary(p => p.Key, p => p.Value?.DeepClone());
        return ChatTemplate.Parse(source).Render(new ChatTemplateInput { Messages = [], Variables = variables, Clock = FixedClock.CorpusDate });
    }

    public static TemplateException Fail(string source, string variablesJson = "{}") =>
        Assert.Throws<TemplateException>(() => Render(source, variablesJson));
}
