namespace Woodpecker.Runtime;

/// <summary>A grain call did not complete within its timeout. The call may or may not have taken effect.</summary>
public sealed class GrainCallTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a call to <paramref name="target"/>.</summary>
    public GrainCallTimeoutException(GrainId target, string method, TimeSpan timeout)
        : base($"The call {method} to grain {target} did not complete within {timeout.TotalMilliseconds:0} ms. " +
               "The grain may be overloaded or blocked; the call may or may not have taken effect.")
    {
        Target = target;
        Method = method;
    }

    /// <summary>The grain that was called.</summary>
    public GrainId Target { get; }

    /// <summary>The method that was called.</summary>
    public string Method { get; }
}
