namespace Woodpecker.Grains.Messages;

/// <summary>
/// In-process only: lets the writer session learn when the segment grain has encoded a batch, so it can return the
/// batch's pooled payload buffers. Never serialized; a batch that crossed the wire has no callback.
/// </summary>
public sealed partial class AppendBatch
{
    /// <summary>Called once the entries were copied into a block (not for a batch refused or never run).</summary>
    internal Action? Consumed { get; set; }
}
