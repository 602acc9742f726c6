using System.Text;
using Evernet.Gossip.View;
using Evernet.Sim.Engine;

namespace Evernet.Sim.Running;

/// <summary>
/// Ground-truth convergence from the nodes' own snapshots: every live honest node holds the same member states and the
/// same latest summary version of every gateway. Suspect counts as alive here: in SWIM a suspect is still a member, and
/// under loss some suspicion is always in flight somewhere.
/// </summary>
public static class ConvergenceCheck
{
    /// <summary>
    /// Lets the mesh run on (no new faults are scheduled past the end) for up to <paramref name="settle"/>, checking every
    /// 100 ms: first the cheap event-derived view, then the snapshots. Returns how long it took, or -1.
    /// </summary>
    public static (bool Converged, double SettleMs, string Detail) Settle(Simulation sim, TimeSpan settle)
    {
        long start = sim.Now, deadline = start + settle.Ticks;
        string detail = "";
        while (true)
        {
            string? gap = sim.Metrics.ConvergenceGap() ?? sim.Metrics.SummaryGap();
            if (gap is null)
            {
                (bool ok, detail) = Check(sim);
                if (ok) return (true, (sim.Now - start) / (double)TimeSpan.TicksPerMillisecond, detail);
            }
            else detail = gap;
            if (sim.Now >= deadline) return (false, -1, detail);
            sim.RunUntil(Math.Min(deadline, sim.Now + TimeSpan.TicksPerMillisecond * 100));
        }
    }

    public static (bool Converged, string Detail) Check(Simulation sim)
    {
        string? reference = null;
        int referenceNode = -1, differing = 0, live = 0;
        string? firstDifference = null;
        foreach (var node in sim.Nodes)
        {
            if (!node.IsUp || !node.IsHonest) continue;
            live++;
            string view = Canonical(node.Core!.Snapshot());
            if (reference is null)
            {
                reference = view;
                referenceNode = node.Index;
            }
            else if (view != reference)
            {
                differing++;
                firstDifference ??= $"node {node.Index} differs from node {referenceNode}: {FirstDiff(reference, view)}";
            }
        }
        return differing == 0
            ? (true, $"{live} live nodes agree")
            : (false, $"{differing} of {live} live nodes disagree; {firstDifference}");
    }

    private static string Canonical(MeshView view)
    {
        var sb = new StringBuilder();
        foreach (var m in view.Members.OrderBy(m => m.Id))
            sb.Append(m.Id.Fingerprint).Append('=').Append(m.State == MemberState.Suspect ? MemberState.Alive : m.State).Append(';');
        sb.Append('|');
        foreach (var g in view.Gateways.OrderBy(g => g.Id))
            sb.Append(g.Id.Fingerprint).Append("=v").Append(g.Summary?.Version ?? 0).Append(';');
        return sb.ToString();
    }

    private static string FirstDiff(string a, string b)
    {
        var ea = a.Split(';');
        var eb = b.Split(';');
        var onlyA = ea.Except(eb).Take(3);
        var onlyB = eb.Except(ea).Take(3);
        return $"reference has [{string.Join(", ", onlyA)}], it has [{string.Join(", ", onlyB)}]";
    }
}
