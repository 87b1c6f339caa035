namespace Woodpecker.Grains;

/// <summary>Timeouts of long-polling grain calls: the wait the caller asked for, plus room for the work itself.</summary>
internal static class GrainTimeouts
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    public static TimeSpan ForWait(int waitMs) => TimeSpan.FromMilliseconds(Math.Max(0, waitMs)) + Slack;
}
