using Strata.Templates.Values;

namespace Strata.Templates.Builtins;

/// <summary>A builtin method body: the receiver and the call's arguments.</summary>
internal delegate Value Method<in TReceiver>(TReceiver receiver, Arguments arguments)
    where TReceiver : Value;
