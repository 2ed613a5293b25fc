namespace Strata.Cli.Hardening;

/// <summary>
/// One generated hostile request: the bytes to send (in pieces, <paramref name="Gap"/> apart, for a slow client) and
/// how the client ends. <paramref name="Target"/> is the field the case made invalid, as the server should name it in
/// <c>param</c>; null when no single field is to blame (broken JSON, framing, a route).
/// </summary>
internal sealed record FuzzCase(string Name, string? Target, IReadOnlyList<byte[]> Pieces, TimeSpan Gap, FuzzEnding Ending);
