namespace Strata.Templates.Values;

/// <summary>
/// A value inside the interpreter. Behaviour follows Python, because the reference renderer (Jinja2)
/// runs on Python objects and byte-equal output depends on Python's printing and comparison rules.
/// </summary>
internal abstract class Value
{
    /// <summary>Python's type name, as it appears in error messages ('str', 'int', 'dict', ...).</summary>
    public abstract string TypeName { get; }

    public virtual bool IsTruthy => true;

    /// <summary>Python's <c>str(value)</c>: what <c>{{ value }}</c> prints.</summary>
    public abstract string ToStr();

    /// <summary>Python's <c>repr(value)</c>: how the value prints inside a list or dict.</summary>
    public virtual string ToRepr() => ToStr();

    /// <summary>Python's <c>getattr</c>; null when the object has no such attribute.</summary>
    public virtual Value? GetAttribute(string name) => null;

    /// <summary>Python's <c>obj[key]</c>; null when the lookup fails.</summary>
    public virtual Value? GetItem(Value key) => null;

    /// <summary>The items <c>for</c> walks over; null when the value is not iterable.</summary>
    public virtual IReadOnlyList<Value>? Iterate() => null;

    /// <summary>Python's <c>len(value)</c>; null when the value has no length.</summary>
    public virtual int? Length => null;

    public virtual Value Call(Arguments arguments) =>
        throw new TemplateRuntimeException($"'{TypeName}' object is not callable");

    public override string ToString() => ToRepr();
}
