namespace Strata.Engine.Guard;

/// <summary>Something the guard bans and the category it belongs to (a request must opt in to opt-in categories).</summary>
public sealed record GuardRule<T>(T Value, string Category);
