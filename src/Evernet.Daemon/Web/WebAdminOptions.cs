using System.Globalization;
using System.Net;

namespace Evernet.Daemon.Web;

/// <summary>
/// Settings of the web admin interface (docs/web.md). Off unless <see cref="Enabled"/>; bound to one admin address.
/// Read-only views need no login; actions need the password whose hash is <see cref="PasswordHash"/>.
/// </summary>
public sealed class WebAdminOptions
{
    public const string DefaultListen = "127.0.0.1:8080";

    public bool Enabled { get; set; }

    /// <summary>"address:port": "127.0.0.1:8080", "[::1]:8080", or an admin-network address. Port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>"pbkdf2-sha256$iterations$salt_b64$hash_b64" from <c>evernetd --hash-password</c>. Null: actions are disabled.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>
    /// Host names (besides IP literals and "localhost") the interface answers to. Any other Host header is refused,
    /// which stops DNS-rebinding pages from reading the interface through the browser of someone on the admin network.
    /// </summary>
    public IList<string> AllowedHostNames { get; set; } = [];

    /// <summary>A session ends after this long without a request.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after login, however active.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    public int MaxSessions { get; set; } = 16;

    /// <summary>Login attempts allowed from one client address within <see cref="LoginWindow"/>; a success clears its count.</summary>
    public int LoginAttemptsPerClient { get; set; } = 5;

    /// <summary>Login attempts allowed from all clients together within <see cref="LoginWindow"/> (many addresses, one password).</summary>
    public int LoginAttemptsTotal { get; set; } = 30;

    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the gateway history takes a sample (one per gateway).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How far back the gateway history reaches.</summary>
    public TimeSpan HistoryWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often open pages get a fresh snapshot (server-sent events). Nothing is polled while no page is open.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(2);

    public int MaxLiveClients { get; set; } = 16;

    /// <summary>Longest wait for the daemon to answer one control call.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!TryParseListen(Listen, out _, out string? listenError)) errors.Add(listenError);
        if (PasswordHash is not null && !AdminPassword.TryParse(PasswordHash, out _, out string? hashError))
            errors.Add("web.password_hash: " + hashError);
        foreach (string name in AllowedHostNames)
        {
            if (string.IsNullOrWhiteSpace(name) || Uri.CheckHostName(name) != UriHostNameType.Dns)
                errors.Add($"web.allowed_host_names: '{name}' is not a host name");
        }
        Positive(SessionIdleTimeout, "session_idle_timeout");
        Positive(SessionLifetime, "session_lifetime");
        Positive(LoginWindow, "login_window");
        Positive(HandlerTimeout, "handler_timeout");
        Positive(SampleInterval, "sample_interval");
        Positive(LiveInterval, "live_interval");
        if (HistoryWindow < SampleInterval) errors.Add("web.history_window must be at least web.sample_interval");
        else if (HistoryWindow.Ticks / SampleInterval.Ticks > GatewayHistory.MaxSamplesPerGateway)
            errors.Add($"web.history_window / web.sample_interval must be at most {GatewayHistory.MaxSamplesPerGateway} samples");
        AtLeastOne(MaxSessions, "max_sessions");
        AtLeastOne(LoginAttemptsPerClient, "login_attempts_per_client");
        AtLeastOne(LoginAttemptsTotal, "login_attempts_total");
        AtLeastOne(MaxLiveClients, "max_live_clients");
        return errors;

        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero) errors.Add($"web.{name} must be positive");
        }

        void AtLeastOne(int value, string name)
        {
            if (value < 1) errors.Add($"web.{name} must be at least 1");
        }
    }

    /// <summary>Parses "address:port" (IPv6 in brackets). Host names are refused: the admin address must be explicit.</summary>
    public static bool TryParseListen(string? text, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "web.listen is empty: give an address and port such as 127.0.0.1:8080 or [::1]:8080";
            return false;
        }
        int colon = text.LastIndexOf(':');
        bool bracketed = text.StartsWith('[');
        if (colon <= 0 || (bracketed && text[colon - 1] != ']') || (!bracketed && text.IndexOf(':') != colon))
        {
            error = $"web.listen '{text}' needs an address and a port, IPv6 in brackets: 127.0.0.1:8080 or [::1]:8080";
            return false;
        }
        string host = bracketed ? text[1..(colon - 1)] : text[..colon];
        if (!IPAddress.TryParse(host, out var address))
        {
            error = $"web.listen '{text}': '{host}' is not an IP address";
            return false;
        }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            error = $"web.listen '{text}': the port must be a number from 0 to {IPEndPoint.MaxPort}";
            return false;
        }
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
