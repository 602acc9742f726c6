namespace Evernet.Ctl;

/// <summary>evernetctl's exit codes (documented in docs/operations.md). Usage and data errors follow sysexits.h.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>status: no gateway is usable (degraded service). cert show: does not verify, or not valid now.</summary>
    public const int Degraded = 1;
    /// <summary>evernetd is not running, not reachable, speaks another protocol version, or answered garbage.</summary>
    public const int Unreachable = 2;
    /// <summary>evernetd understood the request and refused it (e.g. drain on a node that is not a gateway).</summary>
    public const int Refused = 3;
    /// <summary>EX_USAGE: bad command line.</summary>
    public const int Usage = 64;
    /// <summary>EX_DATAERR: a key, certificate or revocation file could not be read, parsed or written.</summary>
    public const int DataError = 65;
}
