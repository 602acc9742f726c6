namespace Evernet.Control.Server;

/// <summary>Thrown by an <see cref="IControlHandler"/> to answer a command with a specific error (see <see cref="Protocol.ControlErrorCodes"/>).</summary>
public sealed class ControlCommandException : Exception
{
    public ControlCommandException(string code, string message) : base(message) => Code = code;
    public ControlCommandException(string code, string message, Exception inner) : base(message, inner) => Code = code;

    public string Code { get; }
}
