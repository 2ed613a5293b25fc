using System.Text.Json;

namespace Strata.Engine.Guard;

/// <summary>
/// A small decision tree over term counts: each feature is how often a term occurs in the text (case-insensitive),
/// each inner node sends the text left when its feature is at most the node's threshold, and each leaf is a score.
/// Read from JSON: <c>{"features": ["term", …], "tree": {"feature": 0, "threshold": 0.5, "left": {"score": 0}, "right": …}}</c>.
/// </summary>
public sealed class DecisionTreeClassifier : IContentClassifier
{
    private readonly string[] _features;
    private readonly Node _root;

    private DecisionTreeClassifier(string[] features, Node root)
    {
        _features = features;
        _root = root;
    }

    public static DecisionTreeClassifier FromJson(JsonElement settings)
    {
        var features = settings.GetProperty("features").EnumerateArray().Select(f => f.GetString() ?? throw new FormatException("features must be strings")).ToArray();
        return new DecisionTreeClassifier(features, Parse(settings.GetProperty("tree"), features.Length));
    }

    public float Score(string text)
    {
        var node = _root;
        while (node.Score is null)
            node = Count(text, _features[node.Feature]) <= node.Threshold ? node.Left! : node.Right!;
        return node.Score.Value;
    }

    private static int Count(string text, string term)
    {
        var count = 0;
        for (var at = text.IndexOf(term, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(term, at + term.Length, StringComparison.OrdinalIgnoreCase))
            count++;
        return count;
    }

    private static Node Parse(JsonElement node, int featureCount)
    {
        if (node.TryGetProperty("score", out var score))
            return new Node(0, 0, null, null, score.GetSingle());
        var feature = node.GetProperty("feature").GetInt32();
        if (feature < 0 || feature >= featureCount)
            throw new FormatException($"tree node feature {feature} is not one of the {featureCount} features");
        return new Node(feature, node.GetProperty("threshold").GetDouble(), Parse(node.GetProperty("left"), featureCount), Parse(node.GetProperty("right"), featureCount), null);
    }

    private sealed record Node(int Feature, double Threshold, Node? Left, Node? Right, float? Score);
}
