using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>A filter body: <c>input | name(arguments)</c>.</summary>
internal delegate Value Filter(Value input, Arguments arguments);
