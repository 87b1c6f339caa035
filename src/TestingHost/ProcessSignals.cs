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

    /// <summary>kill -STOP: the process freezes without knowing it.</summary>
    public static void Pause(Process process) => Send(process, OperatingSystem.IsMacOS() ? 17 : SigStop);

    /// <summary>kill -CONT.</summary>
    public static void Resume(Process process) => Send(process, OperatingSystem.IsMacOS() ? 19 : SigCont);

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
