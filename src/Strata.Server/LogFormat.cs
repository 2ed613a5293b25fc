namespace Strata.Server;

/// <summary>How log lines are written to stderr.</summary>
public enum LogFormat
{
    /// <summary>One line of text per message, with a timestamp.</summary>
    Text,

    /// <summary>One JSON object per line, for log collectors.</summary>
    Json,
}
