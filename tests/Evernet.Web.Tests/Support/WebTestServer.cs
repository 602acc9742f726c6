using System.Net;
using Evernet.Daemon.Web;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Evernet.Web.Tests.Support;

/// <summary>A real <see cref="WebAdminServer"/> on a free loopback port, in front of a <see cref="FakeMesh"/>, with a clock the test moves.</summary>
internal sealed class WebTestServer : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";

    // One hash for the whole run: PBKDF2 is slow on purpose, even at the minimum count.
    public static readonly string PasswordHash = AdminPassword.Create(Password, AdminPassword.MinIterations);

    private WebTestServer(FakeTimeProvider clock, FakeMesh mesh, WebAdminServer server, WebAdminOptions options)
    {
        Clock = clock;
        Mesh = mesh;
        Server = server;
        Options = options;
    }

    public FakeTimeProvider Clock { get; }
    public FakeMesh Mesh { get; }
    public WebAdminServer Server { get; }
    public WebAdminOptions Options { get; }
    public Uri BaseAddress => Server.BaseAddress!;

    public static async Task<WebTestServer> StartAsync(Action<WebAdminOptions>? configure = null, bool selfIsGateway = true, int extraNodes = 9)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var mesh = new FakeMesh(clock, selfIsGateway: selfIsGateway, extraNodes: extraNodes);
        var options = new WebAdminOptions
        {
            Enabled = true,
            Listen = "127.0.0.1:0",
            PasswordHash = PasswordHash,
            LiveInterval = TimeSpan.FromMilliseconds(300),
        };
        configure?.Invoke(options);
        var server = new WebAdminServer(options, mesh, NullLogger.Instance, clock);
        await server.StartAsync(CancellationToken.None);
        return new WebTestServer(clock, mesh, server, options);
    }

    /// <summary>A client with its own cookie jar, like one browser.</summary>
    public HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(20),
        };

    /// <summary>Moves the clock in sample steps, waiting for each sample to land: an hour of history in well under a second.</summary>
    public async Task FillHistoryAsync(TimeSpan span)
    {
        var step = Options.SampleInterval;
        for (var moved = TimeSpan.Zero; moved < span; moved += step)
        {
            long before = Server.History.Version;
            Clock.Advance(step);
            await Until(() => Server.History.Version > before, TimeSpan.FromSeconds(5));
        }
    }

    public static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
