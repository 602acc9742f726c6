using Evernet.Daemon.State;

namespace Evernet.Daemon.Configuration;

/// <summary>
/// evernetd --check-config: loads and validates the configuration and reads the certificate file, starting nothing.
/// Exit code 0: usable (warnings may be printed); 1: not usable, every reason listed.
/// </summary>
public static class ConfigCheck
{
    public static (int ExitCode, IReadOnlyList<string> Messages) Run(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeProvider? time = null)
    {
        var commandLine = DaemonCommandLine.Parse(args);
        var result = EvernetdConfiguration.Load(commandLine, environment);
        if (!result.IsValid)
            return (1, [$"{result.ConfigPath}: configuration is invalid", .. result.Errors.Select(e => "  " + e)]);

        var options = result.Options!;
        var messages = new List<string>();
        var errors = new List<string>();
        long now = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
        if (!File.Exists(options.CertificateFile))
        {
            messages.Add($"warning: certificateFile: {options.CertificateFile} does not exist yet; the node cannot join the mesh without it");
        }
        else
        {
            try
            {
                var certificate = Evernet.Control.CertificateFiles.ReadCertificate(options.CertificateFile);
                if (!certificate.IsValidAt(now))
                    messages.Add($"warning: certificateFile: {options.CertificateFile} is not valid now (valid {DateTimeOffset.FromUnixTimeSeconds(certificate.NotBeforeUnixSeconds):u} to {DateTimeOffset.FromUnixTimeSeconds(certificate.NotAfterUnixSeconds):u})");
                if (certificate.Name != options.NodeName)
                    messages.Add($"warning: nodeName: '{options.NodeName}' differs from the certificate's name '{certificate.Name}'");
                if (certificate.IsGateway != options.IsGateway)
                    messages.Add($"warning: role: '{options.Role}' differs from the certificate's roles");
                if (!options.Authorities.Any(a => string.Equals(a.Trim(), certificate.Authority.ToHex(), StringComparison.OrdinalIgnoreCase)))
                    errors.Add($"certificateFile: signed by {certificate.Authority.ToHex()}, which is not among authorities");
            }
            catch (Exception e) when (e is Evernet.Control.CertificateFileException or IOException or UnauthorizedAccessException)
            {
                errors.Add($"certificateFile: {e.Message}");
            }
        }
        if (errors.Count > 0)
            return (1, [$"{result.ConfigPath}: configuration is invalid", .. errors.Select(e => "  " + e), .. messages]);
        return (0, [$"{result.ConfigPath}: configuration is valid", .. messages]);
    }
}
