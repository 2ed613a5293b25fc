namespace Strata.Server.Prompts;

/// <summary>The ChatML template (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;</c>), used for models that bring no template.</summary>
internal static class ChatMl
{
    public const string Template =
        "{% for message in messages %}" +
        "{{ '<|im_start|>' + message['role'] + '\\n' + (message['content'] or '') + '<|im_end|>\\n' }}" +
        "{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
}
