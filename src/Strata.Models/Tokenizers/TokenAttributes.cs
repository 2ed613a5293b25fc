namespace Strata.Models.Tokenizers;

/// <summary>
/// What a token is, from the GGUF <c>tokenizer.ggml.token_type</c> array refined by llama.cpp's load-time rules
/// (for example, end-of-turn texts such as <c>&lt;|im_end|&gt;</c> become <see cref="Control"/>).
/// </summary>
[Flags]
public enum TokenAttributes
{
    /// <summary>Type 0 or an unknown type: such a token renders as nothing.</summary>
    None = 0,

    /// <summary>The unknown-word token (type 2).</summary>
    Unknown = 1 << 0,

    /// <summary>A reserved, never-trained token (type 5).</summary>
    Unused = 1 << 1,

    /// <summary>An ordinary piece of text (type 1).</summary>
    Normal = 1 << 2,

    /// <summary>A control token such as BOS, EOS or a chat-turn marker (type 3); renders as nothing unless asked.</summary>
    Control = 1 << 3,

    /// <summary>A token added to the vocabulary by hand (type 4); always matched as a whole in input text.</summary>
    UserDefined = 1 << 4,

    /// <summary>A single raw byte, <c>&lt;0xXX&gt;</c> (type 6).</summary>
    Byte = 1 << 5,

    /// <summary>Whitespace before this special token is swallowed when it is matched in input text.</summary>
    LeftStrip = 1 << 6,

    /// <summary>Whitespace after this special token is swallowed when it is matched in input text.</summary>
    RightStrip = 1 << 7,
}
