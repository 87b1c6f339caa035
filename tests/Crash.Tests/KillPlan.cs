using System.Globalization;

namespace Woodpecker.Crash.Tests;

/// <summary>When, in a crash writer's life, the test kills it.</summary>
internal enum KillMoment
{
    /// <summary>A random delay after start, usually before READY: while the silo starts, recovers or the log is read.</summary>
    DuringStartup,

    /// <summary>As soon as READY is seen: right after the writer opened, around the first appends.</summary>
    OnReady,

    /// <summary>After a random number of acknowledgements: mid-block and, with small segments, mid-roll.</summary>
    AfterAcks,

    /// <summary>A random delay after READY.</summary>
    AfterDelay,
}

/// <summary>When to kill one crash writer, and how to wait for that moment.</summary>
internal sealed record KillPlan(KillMoment Moment, int Amount)
{
    /// <summary>Longest a child may run after READY before it is killed anyway.</summary>
    public static readonly TimeSpan MaxRunAfterReady = TimeSpan.FromSeconds(2);

    /// <summary>Longest a child may take to print READY.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public static KillPlan Random(Random random, KillMoment moment) => moment switch
    {
        KillMoment.DuringStartup => new KillPlan(moment, random.Next(0, 900)),
        KillMoment.OnReady => new KillPlan(moment, 0),
        // Log-uniform in 1..4000, so a handful of acks is as likely as thousands.
        KillMoment.AfterAcks => new KillPlan(moment, (int)Math.Exp(random.NextDouble() * Math.Log(4000)) + 1),
        _ => new KillPlan(moment, random.Next(0, 1000)),
    };

    /// <summary>Waits for the moment, then kills the child with SIGKILL; returns its exit code.</summary>
    public async Task<int> KillAtMomentAsync(CrashWriterProcess child)
    {
        switch (Moment)
        {
            case KillMoment.DuringStartup:
                await child.WaitUntilAsync(() => false, TimeSpan.FromMilliseconds(Amount));
                break;
            case KillMoment.OnReady:
                await child.WaitForReadyAsync(ReadyTimeout);
                break;
            case KillMoment.AfterAcks:
                await child.WaitForReadyAsync(ReadyTimeout);
                await child.WaitUntilAsync(() => child.AckCount >= Amount, MaxRunAfterReady);
                break;
            default:
                await child.WaitForReadyAsync(ReadyTimeout);
                await child.WaitUntilAsync(() => false, TimeSpan.FromMilliseconds(Amount));
                break;
        }

        return await child.KillAsync();
    }

    public override string ToString() => Moment switch
    {
        KillMoment.DuringStartup => $"kill {Amount} ms after start",
        KillMoment.OnReady => "kill on READY",
        KillMoment.AfterAcks => $"kill after {Amount.ToString(CultureInfo.InvariantCulture)} acks",
        _ => $"kill {Amount} ms after READY",
    };
}
