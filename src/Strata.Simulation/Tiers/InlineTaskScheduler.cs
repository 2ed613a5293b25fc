namespace Strata.Simulation.Tiers;

/// <summary>
/// Runs a tier load on the calling thread as soon as it starts, so it completes within the step that asked for it. Its
/// time is not wall time: the step that attaches the loaded blocks pays the cost law's time per block load.
/// </summary>
internal sealed class InlineTaskScheduler : TaskScheduler
{
    public static InlineTaskScheduler Instance { get; } = new();

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
