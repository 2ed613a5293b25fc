namespace Strata.Engine.Guard;

/// <summary>When the classifier runs and what its score means.</summary>
/// <param name="EveryTokens">Text is scored (and held back until scored) every this many tokens.</param>
/// <param name="ContextChars">Already-released text scored along with the new text, so a phrase across the boundary counts.</param>
public sealed record ClassifierSettings(IContentClassifier Classifier, int EveryTokens, int ContextChars, float Threshold, string Category);
