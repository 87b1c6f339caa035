namespace Woodpecker.Runtime;

/// <summary>
/// Marker for grain interfaces. A grain is a virtual actor keyed by a string: it exists conceptually forever,
/// is activated on its first call, and is deactivated when idle.
/// </summary>
public interface IGrain;
