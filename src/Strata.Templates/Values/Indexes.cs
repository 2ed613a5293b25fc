namespace Strata.Templates.Values;

/// <summary>Reading integer indexes the way Python accepts them (ints and bools).</summary>
internal static class Indexes
{
    public static bool TryGetInt(Value value, out long result)
    {
        switch (value)
        {
            case IntValue i:
                result = i.Value;
                return true;
            case BoolValue b:
                result = b.Value ? 1 : 0;
                return true;
            default:
                result = 0;
                return false;
        }
    }

    public static long RequireInt(Value value, string what) =>
        TryGetInt(value, out var result)
            ? result
            : throw new TemplateRuntimeException($"{what} must be an integer, not '{value.TypeName}'");
}
