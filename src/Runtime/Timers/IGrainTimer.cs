namespace Woodpecker.Runtime.Timers;

/// <summary>A timer registered by a grain. Dispose it to stop further ticks.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes when the next tick fires and the period after it.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
