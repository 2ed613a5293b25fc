namespace Strata.Server.Tests;

/// <summary>Story openings for the TinyStories model.</summary>
internal static class Prompts
{
    public static readonly string[] Stories =
    [
        "Once upon a time", "Lily and Tom went to the park", "The little dog was sad because", "One day, a bird",
        "Tim had a red ball", "The sun was hot and", "Mom said to Sue", "There was a big tree",
    ];
}
