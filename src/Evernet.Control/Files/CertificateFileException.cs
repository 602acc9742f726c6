namespace Evernet.Control;

/// <summary>A certificate, revocation or key file that cannot be read or does not hold what it should. The message names the file and the problem.</summary>
public sealed class CertificateFileException : Exception
{
    public CertificateFileException(string message) : base(message) { }
    public CertificateFileException(string message, Exception inner) : base(message, inner) { }
}
