using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events.Projections;
using Marten.Services;
using JasperFx.Events.Projections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// The read model as a Marten async projection. Marten's daemon hands it pages of the log
/// in order; it checks each event (one it cannot project is thrown back as an
/// <see cref="UnprojectableEventException"/>, which Marten dead-letters and skips), then joins
/// Marten's batch transaction to write the rows with <see cref="ReadModelWriter"/>: the
/// rows and Marten's checkpoint (<c>mt_event_progression</c>) commit together.
/// </summary>
public sealed class ReadModelProjection(string ledgerSchema, ILogger? logger = null) : IProjection
{
    public const string Name = "read-model";

    /// <summary>Marten's shard (and progression row) name for the projection.</summary>
    public const string ShardName = Name + ":All";

    private readonly string ledgerSchema = ledgerSchema;
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var batch = new List<ProjectedEvent>(events.Count);
        foreach (var e in events)
        {
            if (!LedgerEvents(e)) continue;
            try
            {
                batch.Add(ProjectedEvent.Checked(e.Id, e.Sequence, e.Timestamp, e.EventTypeName, e.Data));
            }
            catch (Occurrences.MalformedEventException ex)
            {
                throw new UnprojectableEventException(e, ex);
            }
        }
        ReadModelWriter.Record("check", started);
        if (batch.Count > 0)
            ((ITransactionParticipantRegistrar)operations).AddTransactionParticipant(new Write(this, operations.DocumentStore, batch, events));
        return Task.CompletedTask;
    }

    private static bool LedgerEvents(IEvent e) => Log.LedgerEventTypes.ByName.ContainsKey(e.EventTypeName);

    /// <summary>Runs inside Marten's batch transaction, after Marten queued the checkpoint move and before it commits.</summary>
    /// <param name="events">The page as Marten handed it (its last event is where the checkpoint moves).</param>
    private sealed class Write(ReadModelProjection projection, IDocumentStore store, IReadOnlyList<ProjectedEvent> batch, IReadOnlyList<IEvent> events) : ITransactionParticipant
    {
        public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
        {
            // The generation is read inside the transaction, after Marten's checkpoint update
            // took its row lock: a rebuild's swap holds that lock, so a batch lands wholly in
            // the old generation or wholly in the new one.
            var (generation, head) = await ReadModelStore.TargetAsync(projection.ledgerSchema, connection, transaction, token);
            // Catching up (more of the log lies ahead), intervals are derived once, by the
            // batch that reaches the head, not once per batch.
            var intervals = head > events[^1].Sequence ? IntervalDerivation.Deferred : IntervalDerivation.Now;
            var setAside = await new ReadModelWriter(generation, projection.logger).ApplyAsync(batch, transaction, intervals, token);
            if (setAside.Count > 0)
            {
                // Dead-lettered as Marten does for an event that fails the check, in the same
                // transaction as the rows and the checkpoint.
                await using var session = store.LightweightSession(SessionOptions.ForTransaction(transaction));
                foreach (var (e, reason) in setAside)
                {
                    var original = events.First(x => x.Sequence == e.Position);
                    session.Store(new DeadLetterEvent(original, new ShardName(Name), new UnprojectableEventException(original, reason)));
                }
                await session.SaveChangesAsync(token);
            }
            if (batch.LastOrDefault(e => e.Domain is Catalog.ActorCataloged or Catalog.LandmarkCataloged) is { } catalogChange)
                await ReadModelStore.MarkCatalogChangedAsync(projection.ledgerSchema, connection, transaction, catalogChange.Position, token);
        }
    }
}
