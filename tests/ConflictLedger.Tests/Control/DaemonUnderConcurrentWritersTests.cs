using System.Text.Json;
using ConflictLedger.Control;
using ConflictLedger.Log;
using ConflictLedger.ReadModel;
using ConflictLedger.Testing;

namespace ConflictLedger.Tests.Control;

/// <summary>
/// Marten's daemon, running the read model, against 8 concurrent writers, some holding
/// their transaction open past the stale-sequence threshold and some rolling back.
/// </summary>
public sealed class DaemonUnderConcurrentWritersTests : LedgerFixture
{
    protected override LogOptions CreateOptions() => new(Schema) { ProjectionBatchSize = 100 };

    [Fact]
    public async Task the_read_model_projects_every_committed_event_once_and_none_rolled_back()
    {
        await using var daemon = new ReadModelDaemon(ReadModels);
        await daemon.StartAsync(CancellationToken.None);
        var writers = new ConcurrentWriters(Store, Schema);

        await writers.RunAsync();
        await daemon.WaitForAsync(await Store.HeadAsync(), TimeSpan.FromSeconds(60), CancellationToken.None);

        var committed = writers.CommittedEvents.Select(OccurrenceId).ToList();
        var rolledBack = writers.RolledBackEvents.Select(OccurrenceId).ToList();
        var projected = (await new ControlQueries(ReadModels).OccurrencesAsync(null)).Select(o => o.Id).ToList();
        Assert.Equal(projected.Count, projected.Distinct().Count());
        Assert.Equal(committed.Order(), projected.Order());
        Assert.Empty(rolledBack.Intersect(projected));
        Assert.Empty(await ReadModels.DeadLettersAsync());

        // Projected batch by batch as the events arrived, it equals a rebuild from scratch.
        var incremental = await ReadModelDump.ActiveAsync(this);
        await ReadModels.RebuildAsync();
        Assert.Equal(incremental, await ReadModelDump.ActiveAsync(this));
    }

    private static string OccurrenceId(EventData e) => JsonDocument.Parse(e.Data).RootElement.GetProperty("occurrenceId").GetString()!;
}
