namespace Strata.Engine.Requests;

/// <summary>Why a completion ended, in OpenAI's terms.</summary>
public enum FinishReason
{
    /// <summary>An end-of-generation token or a stop string.</summary>
    Stop,

    /// <summary>The token limit or the context length.</summary>
    Length,

    /// <summary>The content guard stopped the output; the offending text was not sent.</summary>
    ContentFilter,

    /// <summary>The request was cancelled (client gone).</summary>
    Cancelled,

    /// <summary>The engine failed while running the request.</summary>
    Error,
}
