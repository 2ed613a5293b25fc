namespace Strata.Cli.ServeBenchmark;

/// <summary>
/// Builds prompt text from common English words. The client has no tokenizer, so it picks words that most
/// vocabularies keep whole (about one token each with their leading space) and lets <see cref="TokenEstimate"/>
/// measure the real ratio against the server.
/// </summary>
internal static class PromptWords
{
    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "was", "for", "on", "with", "as", "by", "at", "from", "that", "this",
        "it", "be", "are", "or", "an", "not", "have", "but", "had", "his", "her", "they", "you", "we", "he", "she",
        "all", "one", "two", "new", "time", "year", "day", "way", "man", "world", "life", "hand", "part", "child",
        "eye", "woman", "place", "work", "week", "case", "point", "home", "water", "room", "mother", "area", "money",
        "story", "fact", "month", "lot", "right", "study", "book", "word", "house", "side", "kind", "head", "black",
        "white", "red", "green", "blue", "long", "little", "great", "old", "big", "high", "small", "large", "next",
        "early", "young", "important", "few", "public", "bad", "same", "able", "good", "last", "own", "other",
        "first", "light", "night", "city", "road", "tree", "river", "land", "sea", "sun", "moon", "star", "fire",
        "wind", "rain", "snow", "stone", "wood", "door", "window", "table", "chair", "bed", "bread", "milk", "tea",
        "cake", "apple", "fish", "bird", "dog", "cat", "horse", "cow", "king", "queen", "town", "school", "church",
        "market", "garden", "field", "hill", "farm", "ship", "boat", "train", "car", "street", "bridge", "paper",
        "letter", "song", "music", "game", "team", "friend", "family", "father", "brother", "sister", "girl", "boy",
        "heart", "mind", "voice", "face", "body", "name", "idea", "question", "answer", "reason", "power", "end",
        "start", "change", "move", "play", "run", "walk", "talk", "turn", "help", "show", "try", "call", "ask",
        "need", "feel", "seem", "leave", "keep", "let", "begin", "hear", "live", "believe", "hold", "bring", "write",
        "stand", "sit", "lose", "pay", "meet", "learn", "lead", "watch", "follow", "stop", "speak", "read", "spend",
        "grow", "open", "win", "offer", "remember", "love", "consider", "appear", "buy", "wait", "serve", "die",
        "send", "expect", "build", "stay", "fall", "cut", "reach", "kill", "remain", "suggest", "raise", "pass",
        "sell", "decide", "return", "explain", "hope", "develop", "carry", "break", "receive", "agree", "support",
        "hit", "produce", "eat", "cover", "catch", "draw", "choose", "cause", "plan", "rise", "drive", "wear",
        "save", "fill", "dance", "sleep", "smile", "laugh", "cry", "jump", "swim", "fly", "sing", "paint", "cook",
        "clean", "wash", "rest", "travel", "visit", "dream", "think", "know", "make", "take", "come", "see", "look",
        "want", "give", "use", "find", "tell", "say", "get", "go", "very", "often", "always", "never", "again",
        "still", "soon", "here", "there", "now", "then", "today", "morning", "evening", "summer", "winter", "spring",
        "autumn", "north", "south", "east", "west", "under", "over", "after", "before", "between", "through",
        "during", "without", "around", "behind", "above", "below", "near", "far", "fast", "slow", "warm", "cold",
        "hot", "soft", "hard", "quiet", "loud", "happy", "sad", "brave", "simple", "clear", "full", "empty", "rich",
        "poor", "true", "real", "free", "short",
    ];

    /// <summary>Every word once, in a fixed order.</summary>
    public static IReadOnlyList<string> All => Words;

    /// <summary>
    /// The words <see cref="Text"/> would draw from the same random state, as token ids (a word's index plus one), for a
    /// simulation that has no tokenizer and counts one token per word.
    /// </summary>
    public static int[] TokenIds(int wordCount, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wordCount);
        var ids = new int[wordCount];
        for (var i = 0; i < wordCount; i++)
            ids[i] = 1 + random.Next(Words.Length);
        return ids;
    }

    public static string Text(int wordCount, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(wordCount);
        var words = new string[wordCount];
        for (var i = 0; i < wordCount; i++)
            words[i] = Words[random.Next(Words.Length)];
        return string.Join(' ', words);
    }
}
