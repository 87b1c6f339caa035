using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Woodpecker.Cli.Output;

/// <summary>Spectre tables with plain-text cells (user data is never parsed as markup).</summary>
internal static class Tables
{
    public static Table Create(string? title, params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title = new TableTitle(Markup.Escape(title));
        }

        foreach (var column in columns)
        {
            // Columns whose header starts with '>' are right-aligned (numbers).
            table.AddColumn(column.StartsWith('>')
                ? new TableColumn(Markup.Escape(column[1..])).RightAligned()
                : new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    public static void AddTextRow(this Table table, params string[] cells) =>
        table.AddRow(cells.Select(cell => (IRenderable)new Text(cell)).ToArray());

    public static void AddTextRow(this Grid grid, params string[] cells) =>
        grid.AddRow(cells.Select(cell => (IRenderable)new Text(cell)).ToArray());

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "—";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
