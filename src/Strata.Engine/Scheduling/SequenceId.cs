namespace Strata.Engine.Scheduling;

/// <summary>Identifies one sequence (one choice of one request) inside the engine.</summary>
public readonly record struct SequenceId(long Value)
{
    public override string ToString() => $"seq-{Value}";
}
