using System.Buffers;
using Woodpecker.Errors;

namespace Woodpecker.Naming;

/// <summary>
/// The rules a log name must follow. Names are user input that ends up in metadata keys and tool output, so they
/// are restricted to a small, safe alphabet: ASCII letters, digits, '.', '_' and '-', starting with a letter or a
/// digit, at most <see cref="MaxLength"/> characters. That excludes path separators, "." and "..", whitespace and
/// control characters outright. (Storage never uses the name itself: files and objects are keyed by the log's
/// numeric id.)
/// </summary>
public static class LogNames
{
    /// <summary>The longest allowed name.</summary>
    public const int MaxLength = 200;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <summary>Returns why <paramref name="name"/> is not a valid log name, or null when it is.</summary>
    public static string? Explain(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A log name must not be empty.";
        }

        if (name.Length > MaxLength)
        {
            return $"A log name must be at most {MaxLength} characters; this one has {name.Length}.";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"A log name must start with an ASCII letter or digit; '{Printable(name)}' does not.";
        }

        var bad = name.AsSpan().IndexOfAnyExcept(Allowed);
        if (bad >= 0)
        {
            return $"A log name may contain only ASCII letters, digits, '.', '_' and '-'; '{Printable(name)}' has {Describe(name[bad])} at index {bad}.";
        }

        return null;
    }

    /// <summary>Throws <see cref="InvalidLogNameException"/> unless <paramref name="name"/> is valid.</summary>
    public static string Validate(string? name)
    {
        var problem = Explain(name);
        return problem is null ? name! : throw new InvalidLogNameException(problem);
    }

    private static string Describe(char c) =>
        char.IsControl(c) ? $"the control character U+{(int)c:X4}" : $"'{c}'";

    private static string Printable(string name)
    {
        var shown = name.Length > 60 ? name[..60] + "…" : name;
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
