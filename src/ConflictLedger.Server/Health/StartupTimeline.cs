using System.Diagnostics;

namespace ConflictLedger.Server.Health;

/// <summary>
/// Where start-up time goes: each phase is marked when it ends, counted from the start of
/// the process (runtime start-up included), and the whole is logged once when the server
/// listens, e.g. "runtime and host 0.9 s, schema 0.4 s, ...". Hosted services start one
/// after the other in the order they were added, so a mark added after a phase's services
/// ends when they have.
/// </summary>
public sealed class StartupTimeline
{
    private readonly Lock gate = new();
    private readonly List<(string Phase, TimeSpan End)> marks = [];

    /// <summary>Time since the process started.</summary>
    public static TimeSpan SinceProcessStart => DateTime.Now - Process.GetCurrentProcess().StartTime;

    public void Mark(string phase)
    {
        lock (gate) marks.Add((phase, SinceProcessStart));
    }

    /// <summary>Each phase with its own duration, in the order they ended.</summary>
    public IReadOnlyList<(string Phase, TimeSpan Took)> Phases()
    {
        lock (gate) return marks.Select((m, i) => (m.Phase, m.End - (i == 0 ? TimeSpan.Zero : marks[i - 1].End))).ToList();
    }

    public TimeSpan Total
    {
        get { lock (gate) return marks.Count == 0 ? TimeSpan.Zero : marks[^1].End; }
    }

    public override string ToString() =>
        $"{Total.TotalSeconds:0.00} s from process start: " + string.Join(", ", Phases().Select(p => $"{p.Phase} {p.Took.TotalSeconds:0.00} s"));
}

public static class StartupTimelineSetup
{
    /// <summary>Marks <paramref name="phase"/> as ended when the hosted services added before this call have started.</summary>
    public static IServiceCollection AddStartupMark(this IServiceCollection services, string phase) =>
        // Not AddHostedService: it adds one service per type, and every mark is the same type.
        services.AddSingleton<IHostedService>(sp => new StartupMark(sp.GetRequiredService<StartupTimeline>(), phase));

    /// <summary>Marks the end of start-up when the server listens and logs the timeline.</summary>
    public static void LogStartupWhenListening(this WebApplication app)
    {
        var timeline = app.Services.GetRequiredService<StartupTimeline>();
        var logger = app.Services.GetRequiredService<ILogger<StartupTimeline>>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            timeline.Mark("listening");
            logger.LogInformation("Started in {Timeline}", timeline);
        });
    }

    private sealed class StartupMark(StartupTimeline timeline, string phase) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            timeline.Mark(phase);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
