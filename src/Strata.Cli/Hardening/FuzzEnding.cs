namespace Strata.Cli.Hardening;

/// <summary>How the client of a fuzz case ends its connection.</summary>
internal enum FuzzEnding
{
    /// <summary>Waits for the answer, which must come.</summary>
    Answer,

    /// <summary>Closes its sending side (FIN) and reads what comes, if anything.</summary>
    HalfClose,

    /// <summary>Resets the connection (RST) without reading.</summary>
    Reset,

    /// <summary>Closes the connection (FIN) without reading.</summary>
    Close,
}
