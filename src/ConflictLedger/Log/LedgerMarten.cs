using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Marten;
using ConflictLedger.Occurrences;
using ConflictLedger.ReadModel;
using JasperFx.Events.Projections;
using Marten.Events;
using Weasel.Core;

namespace ConflictLedger.Log;

/// <summary>
/// How the ledger configures Marten. Every setting here is one the ledger relies on; the
/// README lists them with the reasons.
/// </summary>
public static class LedgerMarten
{
    public static void Configure(StoreOptions o, LogOptions log)
    {
        o.DatabaseSchemaName = log.Schema;
        o.Events.DatabaseSchemaName = log.Schema;
        o.Events.StreamIdentity = StreamIdentity.AsString;
        // Quick appends take the timestamp from the database (now()), so the knowledge clock is
        // the server's; Rich and QuickWithServerTimestamps take the client's (measured).
        o.Events.AppendMode = EventAppendMode.Quick;
        // Re-sent appends are caught before they reach Marten (LogAppend); the index is the backstop.
        o.Events.EnableUniqueIndexOnEventId = true;
        o.Events.MetadataConfig.CorrelationIdEnabled = true;
        o.Events.MetadataConfig.CausationIdEnabled = true;
        o.Events.MetadataConfig.HeadersEnabled = true;
        // Stored JSON is what integrators read in the feeds: the domain's own format.
        o.UseSystemTextJsonForSerialization(new JsonSerializerOptions(Json.Options), EnumStorage.AsString, Casing.CamelCase,
            // Marten swaps in its own enum converter; ours goes first so enums stay kebab-case.
            json => json.Converters.Insert(0, Json.EnumConverter()));

        var mapped = new HashSet<Type>();
        foreach (var (name, type) in LedgerEventTypes.ByName)
        {
            if (mapped.Add(type)) o.Events.MapEventType(type, name);
            // Marten writes one name per record; the ledger's other names for the shared
            // record are read back as it (LogAppend writes each event's own name).
            else if (type == typeof(AccountReported)) o.Events.Upcast<AccountReported, AccountReported>(name, same => same);
            else throw new InvalidOperationException($"{type.Name} has two type names; only AccountReported may.");
        }

        // Appends draw sequence numbers in commit order (LogAppend), so a gap is only ever a
        // rolled-back transaction: waiting seconds for it to fill helps no one. Marten still
        // holds the high-water mark while a transaction that could fill a gap is alive
        // (UseTransactionEvidenceForGapSkipping, on by default), and never skips past one
        // (SkipStaleGapsDespiteLiveTransactionsAfter stays null).
        o.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(100);
        // A rolled-back append sends no notification, so the daemon sees its gap at the next
        // append and then waits for a poll to find it stale: at the 1 s default that poll was
        // the whole lag after a rollback (measured 1,052 ms against 13 ms undisturbed).
        o.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        // Appends NOTIFY and the daemon LISTENs, so a projection starts within milliseconds
        // of a commit; polling (FastPollingTime) stays as the fallback.
        o.Events.UseListenNotifyForEventAppends = true;

        // An event the read model cannot project is set aside (dead-lettered) and the daemon
        // goes on; the read model never stops on one event.
        o.Projections.Errors.SkipApplyErrors = true;
        o.Projections.Errors.SkipSerializationErrors = true;
        o.Projections.Errors.SkipUnknownEvents = true;
        // A shard cut by a database restart is restarted after it, whatever its last exception was.
        DaemonFailures.Register();
        o.Projections.Add(new ReadModelProjection(log.Schema), ProjectionLifecycle.Async, ReadModelProjection.Name,
            async => async.BatchSize = log.ProjectionBatchSize);
    }
}
