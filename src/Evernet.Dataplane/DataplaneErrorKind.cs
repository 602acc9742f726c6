namespace Evernet.Dataplane;

public enum DataplaneErrorKind : byte
{
    /// <summary>A required program (wg, ip, nft, wireguard-go) is not installed.</summary>
    MissingBinary = 0,

    /// <summary>A program ran and reported failure.</summary>
    CommandFailed = 1,

    /// <summary>A program did not finish in time and was killed.</summary>
    CommandTimeout = 2,

    /// <summary>The desired state cannot be applied as given (bad name, prefix, key file, ...).</summary>
    InvalidConfiguration = 3,

    /// <summary>Output of a program could not be understood.</summary>
    UnexpectedOutput = 4,

    /// <summary>A bug or an unforeseen system error; reported instead of crashing the host.</summary>
    Internal = 5,
}
