using Strata.Templates.Syntax;

namespace Strata.Templates.Runtime;

/// <summary>Turns whatever failed while evaluating a node into a <see cref="TemplateException"/> naming the node's line.</summary>
internal static class Errors
{
    public static TemplateException At(Node node, Exception error) => At(node.Line, error);

    public static TemplateException At(int line, Exception error) => new(Describe(error), line, error);

    private static string Describe(Exception error) => error switch
    {
        TemplateRuntimeException => error.Message,
        OverflowException => "integer overflow (numbers are limited to 64 bits)",
        InsufficientExecutionStackException => "the template nests or recurses too deeply",
        _ => $"{error.GetType().Name}: {error.Message}",
    };
}
