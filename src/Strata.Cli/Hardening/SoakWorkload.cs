using System.Text.Json;
using Strata.Cli.ServeBenchmark;

namespace Strata.Cli.Hardening;

/// <summary>
/// Random soak requests: completions and chat, streamed and not, one to four choices, short generations under random
/// sampling settings (greedy, hot, top-k/p, min-p, penalties, logit bias, seeds, stop strings, logprobs). A third of
/// the prompts start with one of a few shared openings, so cached prefix blocks are shared, forked and released
/// while clients come and go. Prompts stay short enough for a small model's context.
/// </summary>
internal sealed class SoakWorkload(string model, double disconnect, Random random)
{
    private static readonly string[] Openings =
    [
        "Once upon a time there was a little girl who lived in a small house near the big forest with her mother",
        "The old man sat on the bench in the park and watched the birds fly over the trees and the pond",
        "Tom and his dog went to the beach on a sunny day to play in the sand and swim in the sea",
    ];

    public SoakRequest Next()
    {
        var chat = random.Next(2) == 0;
        var departure = random.NextDouble() < disconnect ? new Departure((DeparturePoint)random.Next(3), random.Next(2) == 0) : null;
        // A client that leaves mid-stream has to ask for a stream.
        var stream = departure?.Point == DeparturePoint.MidStream || random.Next(2) == 0;
        var choices = random.Next(10) switch { < 7 => 1, 7 => 2, 8 => 3, _ => 4 };
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            if (chat)
                WriteMessages(json, Prompt());
            else
                json.WriteString("prompt", Prompt());
            json.WriteNumber("max_tokens", random.Next(1, 49));
            json.WriteNumber("n", choices);
            WriteSampling(json, chat);
            if (stream)
            {
                json.WriteBoolean("stream", true);
                if (random.Next(2) == 0)
                {
                    json.WriteStartObject("stream_options");
                    json.WriteBoolean("include_usage", true);
                    json.WriteEndObject();
                }
            }
            json.WriteEndObject();
        }
        return new SoakRequest(chat ? "/v1/chat/completions" : "/v1/completions", buffer.ToArray(), stream, choices, departure);
    }

    private string Prompt()
    {
        var words = PromptWords.Text(random.Next(1, 40), random);
        return random.Next(3) == 0 ? Openings[random.Next(Openings.Length)] + " " + words : words;
    }

    private static void WriteMessages(Utf8JsonWriter json, string prompt)
    {
        json.WriteStartArray("messages");
        json.WriteStartObject();
        json.WriteString("role", "user");
        json.WriteString("content", prompt);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private void WriteSampling(Utf8JsonWriter json, bool chat)
    {
        json.WriteNumber("temperature", Pick(0, 0, 0.3, 0.8, 1.0, 1.5));
        if (Sometimes())
            json.WriteNumber("top_p", Pick(0.9, 0.5, 0.1, 1e-300));
        if (Sometimes())
            json.WriteNumber("top_k", Pick(-1, 1, 5, 40));
        if (Sometimes())
            json.WriteNumber("min_p", Pick(0.02, 0.1, 0.5));
        if (Sometimes())
            json.WriteNumber("seed", random.Next());
        if (Sometimes())
        {
            json.WriteNumber("presence_penalty", Pick(-1, 0.5, 2));
            json.WriteNumber("frequency_penalty", Pick(-0.5, 0.5, 1.5));
            json.WriteNumber("repetition_penalty", Pick(0.8, 1.1, 1.5));
        }
        if (Sometimes())
        {
            json.WriteStartObject("logit_bias");
            json.WriteNumber(random.Next(3, 200).ToString(System.Globalization.CultureInfo.InvariantCulture), Pick(-100, -5, 5, 100));
            json.WriteEndObject();
        }
        if (Sometimes())
            json.WriteBoolean("ignore_eos", true);
        if (Sometimes())
        {
            json.WriteStartArray("stop");
            json.WriteStringValue(PromptWords.Text(1, random));
            json.WriteStringValue(".");
            json.WriteEndArray();
        }
        if (Sometimes() && chat)
        {
            json.WriteBoolean("logprobs", true);
            json.WriteNumber("top_logprobs", random.Next(0, 6));
        }
        else if (Sometimes() && !chat)
        {
            json.WriteNumber("logprobs", random.Next(0, 6));
        }
    }

    private bool Sometimes() => random.Next(4) == 0;

    private double Pick(params double[] values) => values[random.Next(values.Length)];
}
