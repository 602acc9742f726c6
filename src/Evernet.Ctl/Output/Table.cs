using System.Text;

namespace Evernet.Ctl.Output;

internal sealed record Column(string Header, int Width, bool RightAligned = false);

/// <summary>
/// A fixed-width text table: cells are cut to their column (never widening a line), then coloured, so the
/// width on screen is the same with and without colour.
/// </summary>
internal sealed class Table
{
    private readonly IReadOnlyList<Column> _columns;
    private readonly Terminal _terminal;

    public Table(Terminal terminal, params Column[] columns)
    {
        _terminal = terminal;
        _columns = columns;
    }

    public int Width => _columns.Sum(c => c.Width) + _columns.Count - 1;

    public string Header() => Row(_columns.Select(c => (c.Header, (Func<string, string>?)_terminal.Bold)).ToArray());

    /// <summary>Each cell is text plus an optional painter applied after padding-free fitting.</summary>
    public string Row(params (string Text, Func<string, string>? Paint)[] cells)
    {
        var line = new StringBuilder(Width + 32);
        for (int i = 0; i < _columns.Count; i++)
        {
            var column = _columns[i];
            bool last = i == _columns.Count - 1;
            string text = Format.Fit(i < cells.Length ? cells[i].Text : "", column.Width);
            string padding = new(' ', column.Width - text.Length);
            string painted = cells.Length > i && cells[i].Paint is { } paint ? paint(text) : text;
            if (i > 0) line.Append(' ');
            if (column.RightAligned) line.Append(padding).Append(painted);
            else line.Append(painted).Append(last ? "" : padding);
        }
        return line.ToString();
    }
}
