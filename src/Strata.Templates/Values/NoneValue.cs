namespace Strata.Templates.Values;

/// <summary>Python's <c>None</c> (JSON null, Jinja's <c>none</c>).</summary>
internal sealed class NoneValue : Value
{
    public static readonly NoneValue Instance = new();

    private NoneValue()
    {
    }

    public override string TypeName => "NoneType";

    public override bool IsTruthy => false;

    public override string ToStr() => "None";
}
