namespace Evernet.Ctl.Output;

/// <summary>Where output goes and whether it may be coloured: only on a terminal, and never with NO_COLOR set (no-color.org).</summary>
internal sealed class Terminal
{
    private const string Reset = "\u001b[0m";

    public Terminal(TextWriter output, TextWriter error, bool colour)
    {
        Out = output;
        Error = error;
        Colour = colour;
    }

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public bool Colour { get; }

    public static Terminal FromConsole()
    {
        bool colour = !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
            && Environment.GetEnvironmentVariable("TERM") is not "dumb";
        return new Terminal(Console.Out, Console.Error, colour);
    }

    public string Green(string text) => Paint("\u001b[32m", text);
    public string Yellow(string text) => Paint("\u001b[33m", text);
    public string Red(string text) => Paint("\u001b[31m", text);
    public string Bold(string text) => Paint("\u001b[1m", text);
    public string Dim(string text) => Paint("\u001b[2m", text);

    private string Paint(string code, string text) => Colour && text.Length > 0 ? code + text + Reset : text;
}
