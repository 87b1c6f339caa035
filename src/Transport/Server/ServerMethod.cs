namespace Woodpecker.Transport.Server;

/// <summary>A method of a served service: its name and what serving one call means.</summary>
internal sealed record ServerMethod(string Name, Func<ServerCall, Task> Serve);
