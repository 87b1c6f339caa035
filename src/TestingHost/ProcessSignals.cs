using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Woodpecker.TestingHost;

/// <summary>Signals for real processes: SIGKILL, SIGSTOP and SIGCONT (Linux and macOS).</summary>
public static partial class ProcessSignals
{
    private const int SigKill = 9;
    private const int SigStop = 19;
    private const int SigCont = 18;

    /// <summary>kill -9.</summary>
    public static void Kill(Process process) => Send(process, SigKill);

    /// <summary>
    /// kill -STOP: the process freezes without knowing it. Returns once every thread of it has stopped (on Linux):
    /// kill() only queues the stop, and a thread busy on another core can still answer a request meanwhile.
    /// </summary>
    public static void Pause(Process process)
    {
        Send(process, OperatingSystem.IsMacOS() ? 17 : SigStop);
        WaitUntilStopped(process, TimeSpan.FromSeconds(5));
    }

    /// <summary>kill -CONT.</summary>
    public static void Resume(Process process) => Send(process, OperatingSystem.IsMacOS() ? 19 : SigCont);

    private static void WaitUntilStopped(Process process, TimeSpan timeout)
    {
        var tasks = $"/proc/{process.Id}/task";
        if (!OperatingSystem.IsLinux() || !Directory.Exists(tasks))
        {
            return;
        }

        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.EnumerateDirectories(tasks).All(IsStopped))
            {
                return;
            }

            Thread.Sleep(1);
        }

        throw new TimeoutException($"Process {process.Id} did not stop within {timeout.TotalSeconds:0} s of SIGSTOP.");
    }

    // /proc/PID/task/TID/stat: "tid (name) S ..."; the state follows the last ')' (the name may contain one).
    // T: stopped by a signal; t: stopped by a tracer; Z/X: gone. A thread that exits meanwhile counts as stopped.
    private static bool IsStopped(string taskDirectory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(taskDirectory, "stat"));
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
            return state is 'T' or 't' or 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void Send(Process process, int signal)
    {
        if (SendSignal(process.Id, signal) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != 3) // ESRCH: it is gone already
            {
                throw new InvalidOperationException($"kill({process.Id}, {signal}) failed with errno {errno}.");
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
