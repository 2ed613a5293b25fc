namespace Strata.Cli.Hardening;

/// <summary>When a vanishing client leaves.</summary>
internal enum DeparturePoint
{
    /// <summary>While its body is still being sent.</summary>
    MidUpload,

    /// <summary>Right after sending, before any answer (the prompt may still be computing).</summary>
    MidPrefill,

    /// <summary>After the first events of a streamed answer.</summary>
    MidStream,
}
