namespace Strata.Engine.Tests.Core;

/// <summary>Runs queued tasks only when <see cref="RunPending"/> is called, on the calling thread: tier loads complete exactly when a test says.</summary>
internal sealed class ManualTaskScheduler : TaskScheduler
{
    private readonly Queue<Task> _queued = new();

    public int Pending => _queued.Count;

    public void RunPending()
    {
        while (_queued.TryDequeue(out var task))
            TryExecuteTask(task);
    }

    protected override void QueueTask(Task task) => _queued.Enqueue(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _queued;
}
