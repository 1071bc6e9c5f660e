using System.Diagnostics;

namespace Assessments.Web.Common;

/// <summary>Named places where a crash must lose nothing. With <c>ASSESSMENTS_FAULT_POINT</c> set
/// to a point's name the process SIGKILLs itself there, as a power cut or the OOM killer would:
/// no finally blocks, no flush. Crash tests set it on a process they start; nothing else does, and
/// without it a point costs one string comparison.</summary>
public static class FaultPoints
{
    /// <summary>A push's submission and outbox message are committed; its grading is not queued yet.</summary>
    public const string AfterPushRecorded = "after-push-recorded";

    private static readonly string? Armed = Environment.GetEnvironmentVariable("ASSESSMENTS_FAULT_POINT");

    /// <summary>Kills this process at once if <paramref name="point"/> is the armed one.</summary>
    public static void Hit(string point)
    {
        if (Armed != point)
        {
            return;
        }

        // Straight to stderr: a logger writes from a queue that the kill would cut off.
        Console.Error.WriteLine($"Fault point {point} reached: killing this process (ASSESSMENTS_FAULT_POINT)");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }
}
