namespace Strata.Engine.Requests;

/// <summary>A request the engine refuses outright: <see cref="Overloaded"/> means try later (HTTP 503), otherwise the request itself is invalid (HTTP 400).</summary>
public sealed class RequestRejectedException(string message, bool overloaded) : Exception(message)
{
    public bool Overloaded { get; } = overloaded;
}
