namespace Strata.Server.Tools;

/// <summary>OpenAI's <c>tool_choice</c>: whether the model may, must, or must not call tools.</summary>
internal enum ToolChoiceMode
{
    Auto,
    None,
    Required,

    /// <summary>Must call the one function named in <see cref="ToolRequest.ChoiceName"/>.</summary>
    Named,
}
