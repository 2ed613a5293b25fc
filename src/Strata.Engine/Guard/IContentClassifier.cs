namespace Strata.Engine.Guard;

/// <summary>
/// Scores text for the content guard, off the engine thread: a score at or above the guard's threshold stops the
/// sequence. Implementations must be thread-safe and fast (they run every few tokens of every guarded sequence).
/// </summary>
public interface IContentClassifier
{
    float Score(string text);
}
