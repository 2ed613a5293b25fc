namespace Strata.Engine.Running;

/// <summary>
/// What one step produced: the accepted tokens of every chunk that reached its sequence's last known token, in plan
/// order. A sequence's tokens are consecutive: the drafts the model agreed with, then the token it sampled after
/// them (so at least one). The forks of a prompt each get their first token just before the prompt's own.
/// </summary>
internal sealed class StepResult
{
    public List<SampledToken> Tokens { get; } = [];

    public void Clear() => Tokens.Clear();
}
