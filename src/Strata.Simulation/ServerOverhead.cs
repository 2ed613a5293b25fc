namespace Strata.Simulation;

/// <summary>
/// What the server adds to the engine's steps, measured by <c>strata profile</c> through a real server: time per
/// request before its prompt reaches the engine (HTTP, admission); time per step (the host's turn of its loop between
/// steps, and the server's threads taking the cores the step runs on); time per streamed token (detokenizing and
/// writing it), which lengthens every step by its decoding sequences; and time per prompt token the engine admits
/// (reading, tokenizing, keying and looking up every token of the prompt, cached or not), charged on the step that
/// admits it, as the engine thread matches a prompt's blocks right before that step. Profiles written before a term
/// was measured read it as none.
/// </summary>
internal sealed record ServerOverhead(double RequestSeconds, double TokenSeconds, double StepSeconds = 0, double PromptTokenSeconds = 0)
{
    public static ServerOverhead None { get; } = new(0, 0);
}
