using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Evernet.Daemon.Metrics;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;

namespace Evernet.Integration.Tests.Control;

/// <summary>The metrics exporter served over real HTTP on loopback, scraped and parsed as Prometheus would.</summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task Scrape_over_http_has_every_metric_with_conventional_names_and_values()
    {
        var counters = new GossipCounters { BytesIn = 123_456, BytesOut = 654_321, DatagramsIn = 1_000, DatagramsOut = 1_100, GatewayFailovers = 2 };
        counters.RejectsByReason[(int)RejectReason.BadSignature] = 7;
        counters.DecodeErrors[(int)DecodeError.Truncated] = 3;
        await using var exporter = new MetricsExporter();
        exporter.Update(ControlTestData.View(), counters, ControlTestData.Weights());
        exporter.ObserveDataplaneApply(TimeSpan.FromMilliseconds(12), succeeded: true);
        exporter.ObserveDataplaneApply(TimeSpan.FromMilliseconds(80), succeeded: false);

        int port = FreePort();
        exporter.Start($"127.0.0.1:{port}");
        Assert.Equal(new Uri($"http://127.0.0.1:{port}/metrics"), exporter.Endpoint);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(exporter.Endpoint);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var scrape = Exposition.Parse(await response.Content.ReadAsStringAsync());

        // Conventions: evernet_ prefix (besides the standard process_/dotnet_ families), counters end in _total,
        // units in the name are base units, every family has HELP and TYPE.
        foreach (var family in scrape.Families.Values)
        {
            Assert.Matches("^[a-z_][a-z0-9_]*$", family.Name);
            Assert.False(string.IsNullOrWhiteSpace(family.Help), $"{family.Name} has no HELP");
            if (!family.Name.StartsWith("evernet_", StringComparison.Ordinal))
            {
                Assert.Matches("^(process|dotnet|prometheus_net)_", family.Name);
                continue;
            }
            if (family.Type == "counter") Assert.EndsWith("_total", family.Name);
            else Assert.DoesNotContain("_total", family.Name);
            Assert.DoesNotMatch("_(milliseconds|ms|percent|bits|kilobytes)($|_)", family.Name);
        }

        string[] expected =
        [
            "evernet_members", "evernet_gateway_uplink_state", "evernet_gateway_loss_ratio", "evernet_gateway_rtt_seconds", "evernet_gateway_load_ratio",
            "evernet_gateway_weight", "evernet_gateway_usable", "evernet_gossip_bytes_total", "evernet_gossip_messages_total", "evernet_rejections_total",
            "evernet_failovers_total", "evernet_dataplane_apply_seconds", "evernet_dataplane_errors_total",
        ];
        foreach (string name in expected) Assert.True(scrape.Families.ContainsKey(name), $"missing {name}");
        Assert.Equal("histogram", scrape.Families["evernet_dataplane_apply_seconds"].Type);
        Assert.Equal("gauge", scrape.Families["evernet_gateway_usable"].Type);

        Assert.Equal(3, scrape.Value("evernet_members", ("state", "alive")));
        Assert.Equal(1, scrape.Value("evernet_members", ("state", "suspect")));
        Assert.Equal(1, scrape.Value("evernet_members", ("state", "dead")));
        Assert.Equal(1, scrape.Value("evernet_members", ("state", "left")));
        Assert.Equal(0, scrape.Value("evernet_gateway_uplink_state", ("gateway", "gw-north")));
        Assert.Equal(1, scrape.Value("evernet_gateway_uplink_state", ("gateway", "gw-south")));
        Assert.Equal(2, scrape.Value("evernet_gateway_uplink_state", ("gateway", "gw-east")));
        Assert.Null(scrape.ValueOrNull("evernet_gateway_uplink_state", ("gateway", "gw-west"))); // no summary: no series
        Assert.Equal(0.005, scrape.Value("evernet_gateway_loss_ratio", ("gateway", "gw-north")), 9);
        Assert.Equal(0.013, scrape.Value("evernet_gateway_rtt_seconds", ("gateway", "gw-north")), 9);
        Assert.Equal(0.43, scrape.Value("evernet_gateway_load_ratio", ("gateway", "gw-north")), 9);
        Assert.Equal(60, scrape.Value("evernet_gateway_weight", ("gateway", "gw-north")));
        Assert.Equal(0, scrape.Value("evernet_gateway_weight", ("gateway", "gw-east")));
        Assert.Equal(1, scrape.Value("evernet_gateway_usable", ("gateway", "gw-south")));
        Assert.Equal(0, scrape.Value("evernet_gateway_usable", ("gateway", "gw-west")));
        Assert.Equal(123_456, scrape.Value("evernet_gossip_bytes_total", ("direction", "in")));
        Assert.Equal(654_321, scrape.Value("evernet_gossip_bytes_total", ("direction", "out")));
        Assert.Equal(1_100, scrape.Value("evernet_gossip_messages_total", ("direction", "out")));
        Assert.Equal(7, scrape.Value("evernet_rejections_total", ("reason", "bad_signature")));
        Assert.Equal(0, scrape.Value("evernet_rejections_total", ("reason", "equivocation"))); // present from the start
        Assert.Equal(3, scrape.Value("evernet_decode_errors_total", ("error", "truncated")));
        Assert.Equal(2, scrape.Value("evernet_failovers_total"));
        Assert.Equal(2, scrape.Value("evernet_dataplane_apply_seconds_count"));
        Assert.Equal(0.092, scrape.Value("evernet_dataplane_apply_seconds_sum"), 9);
        Assert.Equal(1, scrape.Value("evernet_dataplane_apply_seconds_bucket", ("le", "0.016")));
        Assert.Equal(2, scrape.Value("evernet_dataplane_apply_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(1, scrape.Value("evernet_dataplane_errors_total"));

        // The control socket's "metrics" serves the same text.
        var text = Exposition.Parse(await exporter.RenderTextAsync());
        Assert.Equal(60, text.Value("evernet_gateway_weight", ("gateway", "gw-north")));

        // Counters only move forward; a gateway that leaves the view loses its series.
        counters.BytesIn = 200_000;
        var smaller = ControlTestData.View() with { Gateways = [.. ControlTestData.View().Gateways.Where(g => g.Name != "gw-east")] };
        exporter.Update(smaller, counters, ControlTestData.Weights());
        using var second = await http.GetAsync(exporter.Endpoint);
        var after = Exposition.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal(200_000, after.Value("evernet_gossip_bytes_total", ("direction", "in")));
        Assert.Null(after.ValueOrNull("evernet_gateway_usable", ("gateway", "gw-east")));
        Assert.Null(after.ValueOrNull("evernet_gateway_uplink_state", ("gateway", "gw-east")));
        Assert.Equal(1, after.Value("evernet_gateway_usable", ("gateway", "gw-north")));

        await exporter.StopAsync();
        Assert.Null(exporter.Endpoint);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/metrics"));
    }

    [Fact]
    public async Task Before_scrape_callback_refreshes_the_values()
    {
        int scrapes = 0;
        MetricsExporter? exporter = null;
        exporter = new MetricsExporter(beforeScrape: () =>
        {
            scrapes++;
            exporter!.Update(ControlTestData.View(noneUsable: scrapes > 1), new GossipCounters(), ControlTestData.Weights());
        }, processMetrics: false);
        await using (exporter)
        {
            Assert.Equal(1, Exposition.Parse(await exporter.RenderTextAsync()).Value("evernet_gateway_usable", ("gateway", "gw-north")));
            Assert.Equal(0, Exposition.Parse(await exporter.RenderTextAsync()).Value("evernet_gateway_usable", ("gateway", "gw-north")));
            Assert.DoesNotContain("process_", await exporter.RenderTextAsync());
        }
    }

    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1", 9464)]
    [InlineData("[::1]:9464", "[::1]", 9464)]
    [InlineData("0.0.0.0:9100", "+", 9100)]
    [InlineData("*:9100", "+", 9100)]
    [InlineData("[::]:9100", "+", 9100)]
    [InlineData("localhost:80", "localhost", 80)]
    public void Addresses_parse(string address, string host, int port) => Assert.Equal((host, port), MetricsExporter.ParseAddress(address));

    [Theory]
    [InlineData("9464")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:http")]
    [InlineData("[::1:9464")]
    [InlineData("bad host:9464")]
    public void Bad_addresses_are_refused_clearly(string address)
    {
        var ex = Assert.Throws<FormatException>(() => MetricsExporter.ParseAddress(address));
        Assert.Contains("metrics address", ex.Message);
    }

    [Fact]
    public async Task A_port_in_use_is_a_clear_error()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;
        await using var exporter = new MetricsExporter(processMetrics: false);
        var ex = Assert.Throws<InvalidOperationException>(() => exporter.Start($"127.0.0.1:{port}"));
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A strict reader of the Prometheus text format 0.0.4: any line it does not understand fails the test.</summary>
    private sealed partial class Exposition
    {
        public sealed record Family(string Name, string Help, string Type);

        public Dictionary<string, Family> Families { get; } = new(StringComparer.Ordinal);
        private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

        public static Exposition Parse(string text)
        {
            var result = new Exposition();
            var help = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string line in text.Split('\n'))
            {
                if (line.Length == 0) continue;
                if (line.StartsWith("# HELP ", StringComparison.Ordinal))
                {
                    string[] parts = line[7..].Split(' ', 2);
                    help[parts[0]] = parts.Length > 1 ? parts[1] : "";
                    continue;
                }
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    string[] parts = line[7..].Split(' ');
                    Assert.Equal(2, parts.Length);
                    Assert.Contains(parts[1], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                    result.Families[parts[0]] = new Family(parts[0], help.GetValueOrDefault(parts[0], ""), parts[1]);
                    continue;
                }
                Assert.False(line.StartsWith('#'), $"unexpected comment line: {line}");
                var match = SampleLine().Match(line);
                Assert.True(match.Success, $"not a sample line: '{line}'");
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value)) labels[label.Groups[1].Value] = label.Groups[2].Value;
                string raw = match.Groups["value"].Value;
                double value = raw switch
                {
                    "+Inf" => double.PositiveInfinity,
                    "-Inf" => double.NegativeInfinity,
                    "NaN" => double.NaN,
                    _ => double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture),
                };
                string name = match.Groups["name"].Value;
                string family = Regex.Replace(name, "_(bucket|sum|count)$", "");
                Assert.True(result.Families.ContainsKey(name) || result.Families.ContainsKey(family), $"sample {name} has no TYPE line before it");
                result._samples.Add((name, labels, value));
            }
            return result;
        }

        public double? ValueOrNull(string name, params (string Key, string Value)[] labels)
        {
            var found = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).ToList();
            Assert.True(found.Count <= 1, $"{found.Count} samples of {name} match");
            return found.Count == 0 ? null : found[0].Value;
        }

        public double Value(string name, params (string Key, string Value)[] labels) =>
            ValueOrNull(name, labels) ?? throw new Xunit.Sdk.XunitException($"no sample {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}");

        [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|Inf|NaN))( -?\d+)?$""")]
        private static partial Regex SampleLine();

        [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?""")]
        private static partial Regex LabelPair();
    }
}
