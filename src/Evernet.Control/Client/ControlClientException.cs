namespace Evernet.Control.Client;

public enum ControlFailure : byte
{
    /// <summary>No socket, or a socket nobody listens on.</summary>
    NotRunning,
    /// <summary>The socket (or its directory) may not be used by this user.</summary>
    PermissionDenied,
    /// <summary>The daemon and this client speak different protocol versions.</summary>
    VersionMismatch,
    /// <summary>No answer in time.</summary>
    Timeout,
    /// <summary>The answer was not a valid response, or the connection broke.</summary>
    ProtocolError,
    /// <summary>The daemon understood the request and answered with an error (<see cref="ControlClientException.Code"/>).</summary>
    CommandFailed,
}

/// <summary>Why a control request failed, with a message meant for the operator as is.</summary>
public sealed class ControlClientException : Exception
{
    public ControlClientException(ControlFailure failure, string message, string? code = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Code = code;
    }

    public ControlFailure Failure { get; }

    /// <summary>The daemon's error code (see <see cref="Protocol.ControlErrorCodes"/>) when it sent one.</summary>
    public string? Code { get; }
}
