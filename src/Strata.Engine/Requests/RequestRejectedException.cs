namespace Strata.Engine.Requests;

/// <summary>
/// A request the engine refuses outright: <see cref="Overloaded"/> means try later (after <see cref="RetryAfter"/>
/// when known), otherwise the request itself is invalid (HTTP 400).
/// </summary>
public sealed class RequestRejectedException(string message, bool overloaded, string reason = "", TimeSpan? retryAfter = null) : Exception(message)
{
    /// <summary>Why an overloaded engine refused: <see cref="QueueFull"/> or <see cref="PredictedLate"/>.</summary>
    public const string QueueFull = "queue_full";

    public const string PredictedLate = "slo_predicted_miss";

    public bool Overloaded { get; } = overloaded;

    public string Reason { get; } = reason;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
