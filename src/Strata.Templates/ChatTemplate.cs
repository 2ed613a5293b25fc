using System.Collections.Concurrent;
using System.Text;
using Strata.Templates.Builtins;
using Strata.Templates.Runtime;
using Strata.Templates.Syntax;
using Strata.Templates.Values;

namespace Strata.Templates;

/// <summary>
/// A parsed chat template (the Jinja source from a model's <c>tokenizer.chat_template</c>),
/// rendered the way Hugging Face transformers renders it. Parsed templates are cached by source
/// and immutable, so one instance can render on many threads at once.
/// </summary>
public sealed class ChatTemplate
{
    // Models bring a handful of distinct templates; the cap only guards against unbounded growth.
    private const int MaxCachedTemplates = 64;

    private static readonly ConcurrentDictionary<string, ChatTemplate> Cache = new(StringComparer.Ordinal);

    private readonly IReadOnlyList<Statement> _body;

    private ChatTemplate(IReadOnlyList<Statement> body) => _body = body;

    /// <summary>Parses <paramref name="source"/>, or returns the cached template parsed from the same text.</summary>
    /// <exception cref="TemplateException">The template has a syntax error.</exception>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue(source, out var cached))
            return cached;
        var template = new ChatTemplate(Parser.Parse(source));
        if (Cache.Count >= MaxCachedTemplates)
            Cache.Clear();
        return Cache.GetOrAdd(source, template);
    }

    /// <summary>Renders the template for one conversation.</summary>
    /// <exception cref="TemplateException">Rendering failed, or the template called <c>raise_exception</c>.</exception>
    public string Render(ChatTemplateInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var scope = new Scope(Globals.Create(input.Clock).Concat(Variables(input)));
        var output = new StringBuilder();
        Interpreter.Execute(_body, scope, output);
        return output.ToString();
    }

    private static IEnumerable<KeyValuePair<string, Value>> Variables(ChatTemplateInput input)
    {
        yield return new("messages", JsonValues.FromNode(input.Messages));
        if (input.Tools is not null)
            yield return new("tools", JsonValues.FromNode(input.Tools));
        yield return new("add_generation_prompt", BoolValue.Of(input.AddGenerationPrompt));
        if (input.BosToken is not null)
            yield return new("bos_token", StringValue.Of(input.BosToken));
        if (input.EosToken is not null)
            yield return new("eos_token", StringValue.Of(input.EosToken));
        foreach (var (name, value) in input.Variables)
            yield return new(name, JsonValues.FromNode(value));
    }
}
