using System.Runtime.InteropServices;

namespace Evernet.Sim.Engine;

/// <summary>A tick count alone on its cache lines: one lane writes it after every event, the others read it.</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal sealed class PaddedTicks
{
    [FieldOffset(64)] public long Ticks;
}
