using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Engine.Caching;
using Strata.Engine.Core;
using Strata.Engine.Requests;
using Strata.Engine.Running;
using Strata.Engine.Sampling;
using Strata.Engine.Speculation;
using Strata.Engine.Tests.Engine;
using Strata.KvCache;
using Strata.KvCache.Prefix;
using Strata.Models.Tokenizers;

namespace Strata.Engine.Tests.Core;

/// <summary>
/// The engine's synchronous core assembled as the engine assembles it (<see cref="EngineBuilder.BuildCore"/>), around
/// a runner of the test's choosing, on a virtual clock and with no thread: a test admits requests and steps it by hand.
/// </summary>
internal sealed class CoreHarness
{
    private long _nextRequest;

    public CoreHarness(EngineOptions options, int blocks, int budget, Func<OutputProcessor, IStepRunner>? runner = null,
        Func<CacheIdentity, KvTierList?>? tiers = null, Tokenizer? tokenizer = null, int maxModelLength = 4096, ILogger? logger = null,
        Action<KvEvent>? kvEvents = null, IDraftModel? draftModel = null, Control.StepCostModel? costs = null)
    {
        Identity = new CacheIdentity(new byte[32], options.KvDataType, options.BlockSize);
        var recording = (OutputProcessor outputs) => Recorder = new RecordingRunner(runner?.Invoke(outputs) ?? new ScriptedRunner(Clock));
        Core = EngineBuilder.BuildCore(options, blocks, budget, maxModelLength, Identity, tiers?.Invoke(Identity), tokenizer, recording, Clock, logger ?? NullLogger.Instance, kvEvents, draftModel, costs);
    }

    public ManualClock Clock { get; } = new();

    public CacheIdentity Identity { get; }

    public EngineCore Core { get; }

    public RecordingRunner Recorder { get; private set; } = null!;

    public List<StepRecord> Records { get; } = [];

    public static EngineOptions Options(int blockSize = 4, bool prefixCaching = true, int maxSequences = 64) =>
        new() { BlockSize = blockSize, PrefixCaching = prefixCaching, MaxSequences = maxSequences };

    public static GenerationRequest Greedy(int[] prompt, int maxTokens, int choices = 1) =>
        new() { PromptTokens = prompt, Sampling = SamplingParams.Greedy with { MaxTokens = maxTokens }, Choices = choices };

    public static int[] Prompt(int seed, int length) =>
        Enumerable.Range(0, length).Select(i => 1 + (seed * 97 + i * 13) % (ScriptedRunner.Vocabulary - 1)).ToArray();

    public GenerationHandle Submit(GenerationRequest request)
    {
        var state = new RequestState($"req-{++_nextRequest}", Clock.GetTimestamp(), request, request.Sampling.Seed ?? 0, default);
        var handle = state.CreateHandle();
        Core.Admit(state);
        return handle;
    }

    /// <summary>Runs one step and keeps its record; null when nothing was runnable.</summary>
    public StepRecord? Step()
    {
        var record = Core.Step();
        if (record is not null)
            Records.Add(record);
        return record;
    }

    /// <summary>Steps until nothing is left; every step must run something.</summary>
    public void RunUntilIdle(Action? afterStep = null)
    {
        for (var i = 0; Core.HasWork; i++)
        {
            Assert.True(i < 10_000, "the core never finished");
            Assert.NotNull(Step());
            afterStep?.Invoke();
        }
        Core.Scheduler.CheckIntegrity();
        Assert.Equal(0, Core.Cache.UsedBlocks);
    }

    /// <summary>Everything a finished request published, gathered per choice.</summary>
    public static Completion Drain(GenerationHandle handle, int choices = 1)
    {
        var events = new List<GenerationEvent>();
        while (handle.Events.TryRead(out var e))
            events.Add(e);
        Assert.True(handle.Events.Completion.IsCompleted, "the request has not finished");
        return Completion.Of(events, choices);
    }
}
