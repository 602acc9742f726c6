namespace Evernet.Control.Dtos;

/// <summary>Answer to "reload-certificate": the certificate the daemon now uses. <see cref="Changed"/> is false when the file held the same one.</summary>
public sealed record CertificateReloadData(string Name, ulong Serial, long NotAfterUnixSeconds, bool Changed);

/// <summary>Arguments of "submit-revocation": the revocation, in the revocation file format (docs/control-protocol.md).</summary>
public sealed record SubmitRevocationArgs(RevocationFile Revocation);

/// <summary>Answer to "submit-revocation": <see cref="Accepted"/> is false for a revocation the daemon already had.</summary>
public sealed record RevocationSubmitData(bool Accepted, string NodeId, ulong Serial);

/// <summary>Answer to "drain" and "undrain": whether this gateway now asks nodes to move new flows elsewhere.</summary>
public sealed record DrainData(bool Draining);

/// <summary>The "error" object of a failed response.</summary>
public sealed record ControlError(string Code, string Message);
