namespace Evernet.Policy;

/// <summary>Everything a gateway needs to judge and report its health.</summary>
public sealed class GatewayHealthOptions
{
    public UplinkMonitorOptions Uplink { get; set; } = new();
    public LoadReporterOptions Load { get; set; } = new();

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        if (Uplink is null) e.Add(nameof(Uplink), "is required");
        else e.AddNested(nameof(Uplink), Uplink.Validate());
        if (Load is null) e.Add(nameof(Load), "is required");
        else e.AddNested(nameof(Load), Load.Validate());
        return e.Errors;
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("gateway health options", Validate());
}
