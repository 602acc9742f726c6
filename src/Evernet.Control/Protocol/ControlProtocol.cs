namespace Evernet.Control.Protocol;

/// <summary>
/// Constants of the evernetd control protocol: newline-delimited JSON over a Unix domain socket.
/// See docs/control-protocol.md; every name here is part of the documented, stable surface.
/// </summary>
public static class ControlProtocol
{
    /// <summary>The protocol version this build speaks. Both sides refuse any other.</summary>
    public const int Version = 1;

    public const string DefaultSocketPath = "/run/evernet/evernetd.sock";

    /// <summary>Group that may use the socket (mode 0660) when it exists on the system.</summary>
    public const string SocketGroup = "evernet";

    /// <summary>Largest request line the daemon reads (bytes, without the newline). Requests are tiny; a revocation is well under 1 KiB.</summary>
    public const int DefaultMaxRequestBytes = 64 * 1024;

    /// <summary>Largest response line a client accepts: the metrics text of a 100-node mesh is far below this.</summary>
    public const int DefaultMaxResponseBytes = 16 * 1024 * 1024;
}

/// <summary>The "cmd" values.</summary>
public static class ControlCommands
{
    public const string Status = "status";
    public const string Members = "members";
    public const string Gateways = "gateways";
    public const string Routes = "routes";
    public const string Events = "events";
    public const string Metrics = "metrics";
    public const string ReloadCertificate = "reload-certificate";
    public const string SubmitRevocation = "submit-revocation";
    public const string Drain = "drain";
    public const string Undrain = "undrain";

    public static IReadOnlyList<string> All { get; } =
        [Status, Members, Gateways, Routes, Events, Metrics, ReloadCertificate, SubmitRevocation, Drain, Undrain];
}

/// <summary>The "error.code" values a daemon answers with.</summary>
public static class ControlErrorCodes
{
    /// <summary>The request's "v" is not <see cref="ControlProtocol.Version"/>.</summary>
    public const string UnsupportedVersion = "unsupported_version";
    /// <summary>The line is not JSON.</summary>
    public const string MalformedJson = "malformed_json";
    /// <summary>JSON, but not a request envelope (missing/ill-typed "v", "cmd" or "args").</summary>
    public const string BadRequest = "bad_request";
    public const string UnknownCommand = "unknown_command";
    /// <summary>The command's "args" are missing a field or hold an invalid value.</summary>
    public const string InvalidArguments = "invalid_arguments";
    public const string RequestTooLarge = "request_too_large";
    /// <summary>The daemon did not answer the command within its time limit.</summary>
    public const string Timeout = "timeout";
    /// <summary>Too many concurrent control connections.</summary>
    public const string Busy = "busy";
    /// <summary>The command is understood but not possible in this node's state (e.g. drain on a non-gateway).</summary>
    public const string NotApplicable = "not_applicable";
    /// <summary>The daemon refused the input (a revocation that does not verify, a certificate that is not valid).</summary>
    public const string Refused = "refused";
    public const string InternalError = "internal_error";
}
