using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Strata.Models;
using Strata.Models.Tokenizers;
using Strata.Server.Protocol;
using Strata.Server.Tools;
using Strata.Templates;

namespace Strata.Server.Prompts;

/// <summary>
/// Builds a chat request's prompt text: the model's chat template (ChatML when it has none) renders the conversation,
/// ready to be tokenized with special-token parsing so markers like <c>&lt;|im_start|&gt;</c> become single tokens.
/// </summary>
internal sealed class ChatPromptBuilder
{
    private readonly Tokenizer _tokenizer;
    private readonly ChatTemplate? _template;
    private readonly TemplateException? _unparsable;
    private readonly string? _bos;
    private readonly string? _eos;
    private readonly string? _source;

    public ChatPromptBuilder(LoadedModel model, ILogger<ChatPromptBuilder> logger)
    {
        _tokenizer = model.Tokenizer;
        _bos = SpecialText(model.Tokenizer.BosId);
        _eos = SpecialText(model.Tokenizer.EosId);
        _source = model.ChatTemplate;
        if (model.ChatTemplate is null)
            logger.LogWarning("{Model} has no chat template (tokenizer.chat_template); chat requests use ChatML", model.Name);
        try
        {
            _template = ChatTemplate.Parse(model.ChatTemplate ?? ChatMl.Template);
        }
        catch (TemplateException ex)
        {
            // The completions API still works, so a broken template fails only the chat requests.
            logger.LogError("{Model}'s chat template cannot be parsed: {Reason}", model.Name, ex.Message);
            _unparsable = ex;
        }
    }

    /// <summary>How the model writes tool calls, as its template shows them.</summary>
    public ToolCallFormat ToolFormat => ToolCallFormat.ForTemplate(_source);

    /// <summary>The text to tokenize as the request's prompt: the rendered conversation, its BOS and EOS left to the tokenizer.</summary>
    public string PromptText(ChatRequest request) => WithoutSpecialEnds(Render(request));

    /// <summary>The conversation as the template renders it, tools included (unless the client chose none).</summary>
    public string Render(ChatRequest request)
    {
        if (_template is null)
            throw new ApiException(new ApiError(StatusCodes.Status500InternalServerError, $"The model's chat template cannot be parsed: {_unparsable!.Message}", ApiError.ServerError));
        string text;
        try
        {
            text = _template.Render(new ChatTemplateInput
            {
                Messages = request.Messages,
                Tools = request.Tools is { Choice: not ToolChoiceMode.None } tools ? tools.TemplateTools : null,
                AddGenerationPrompt = true,
                BosToken = _bos,
                EosToken = _eos,
                Variables = request.TemplateVariables,
            });
        }
        catch (TemplateException ex)
        {
            // Templates reject conversations they cannot express (raise_exception), which is the client's to fix.
            throw ApiException.BadRequest(ex.Message, "messages");
        }
        return text;
    }

    // Templates usually write the BOS text themselves while the tokenizer adds BOS too; as llama.cpp does, the
    // rendered copy is dropped so the prompt starts with exactly one BOS (likewise EOS at the end).
    private string WithoutSpecialEnds(string text)
    {
        if (_tokenizer.AddBos && _bos is { Length: > 0 } && text.StartsWith(_bos, StringComparison.Ordinal))
            text = text[_bos.Length..];
        if (_tokenizer.AddEos && _eos is { Length: > 0 } && text.EndsWith(_eos, StringComparison.Ordinal))
            text = text[..^_eos.Length];
        return text;
    }

    private string? SpecialText(int id) => id == Tokenizer.NoToken ? null : _tokenizer.TokenText(id);
}
