namespace Woodpecker.Runtime;

/// <summary>Identity of a grain: its registered type name and its key.</summary>
/// <param name="Type">The grain type name the interface was registered under (for example "log").</param>
/// <param name="Key">The grain's key within its type.</param>
public readonly record struct GrainId(string Type, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type}/{Key}";
}
