using System.Diagnostics;
using ConflictLedger.Control;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ConflictLedger.ReadModel;

/// <summary>
/// Brings the stored control intervals of landmarks up to date with their claims, deriving
/// each only from where its claims changed on: from the last change before the earliest
/// window a changed account names (<see cref="ControlTimeline.UnchangedBefore"/>), its whole
/// history only when that cannot be shown from the recent claims. New reports are mostly
/// about recent days, so an update costs what they touch, not what the landmark's history
/// holds (measured: deriving whole histories made a catch-up on a 200,000-event log cost
/// 2.1-2.6 times as much as on a 20,000-event one). Only rows that changed are written.
/// </summary>
internal sealed class IntervalUpdate(ReadModelSql sql, ILogger logger)
{
    /// <summary>
    /// How far before the changed day the recent claims are loaded, in turn: enough for a
    /// landmark with a change every few days at the first try, a year for quiet ones, then all.
    /// </summary>
    private static readonly int?[] Margins = [60, 366, null];

    /// <param name="changedFrom">Per landmark, the earliest day its claims changed from; null: derive its whole history.</param>
    public async Task UpdateAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyDictionary<string, DateOnly?> changedFrom, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var claims = new Dictionary<string, List<ControlClaim>>(StringComparer.Ordinal);
        var cuts = new Dictionary<string, DateOnly?>(StringComparer.Ordinal);
        var pending = changedFrom.Keys.ToList();
        foreach (var margin in Margins)
        {
            if (pending.Count == 0) break;
            var since = pending.Select(l => margin is { } days && changedFrom[l] is { } day ? day.AddDays(-days) : (DateOnly?)null).ToArray();
            var loaded = await LoadClaimsAsync(connection, tx, pending.ToArray(), since, ct);
            var next = new List<string>();
            for (var i = 0; i < pending.Count; i++)
            {
                var landmark = pending[i];
                var mine = loaded.GetValueOrDefault(landmark) ?? [];
                if (since[i] is not { } loadedFrom)
                {
                    (claims[landmark], cuts[landmark]) = (mine, null);
                }
                else if (ControlTimeline.UnchangedBefore(landmark, mine, changedFrom[landmark]!.Value, loadedFrom) is { } cut)
                {
                    (claims[landmark], cuts[landmark]) = (mine, cut);
                }
                else next.Add(landmark);
            }
            pending = next;
        }
        ReadModelWriter.Record("intervals: read claims", started);

        started = Stopwatch.GetTimestamp();
        // Landmarks are derived apart from each other by pure functions: on every core.
        var derived = claims.AsParallel()
            .Select(l => (Landmark: l.Key, Intervals: ReadModelWriter.TryBuild(l.Key, l.Value, cuts[l.Key], logger)))
            .Where(d => d.Intervals is not null) // a landmark that cannot be derived keeps its intervals
            .ToDictionary(d => d.Landmark, d => d.Intervals!, StringComparer.Ordinal);
        ReadModelWriter.Record("intervals: derive", started);

        started = Stopwatch.GetTimestamp();
        var landmarks = derived.Keys.ToArray();
        // Keyed by the columns too: the document leaves them out, so two intervals of a landmark
        // saying the same on different days have the same document.
        var stored = new Dictionary<(string Landmark, DateOnly? From, DateOnly? To, string? Controller, string Status, string Hash), string>();
        await using (var read = new NpgsqlCommand(sql.IntervalsFrom, connection, tx)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]> { TypedValue = landmarks },
                new NpgsqlParameter<DateOnly?[]> { TypedValue = landmarks.Select(l => cuts[l]).ToArray() },
            },
        })
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                stored[(reader.GetString(0), reader.GetFieldValue<DateOnly?>(1), reader.GetFieldValue<DateOnly?>(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetString(4), reader.GetString(5))] = reader.GetString(6);
            }
        }
        // A change starts at the cut, so a stored interval ends there (the one before cannot
        // cite that change as changing hands): the derived intervals from the cut on are
        // compared with the stored ones ending after it, and only those that differ are written.
        var rows = derived.Values.SelectMany(intervals => intervals)
            .Select(StoredInterval.Of)
            .Select(row => (Row: row, Document: row.Document()))
            .ToList();
        var added = rows.Where(r => !stored.Remove((r.Row.Landmark, r.Row.From, r.Row.To, r.Row.Controller, Json.Name(r.Row.Status), ReadModelWriter.Hash(r.Document)))).ToList();
        ReadModelWriter.Record("intervals: compare", started);

        started = Stopwatch.GetTimestamp();
        if (stored.Count > 0)
        {
            await using var delete = new NpgsqlCommand(sql.DeleteIntervalRows, connection, tx) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = stored.Values.ToArray() } } };
            await delete.ExecuteNonQueryAsync(ct);
        }
        if (added.Count > 0)
        {
            await using var insert = new NpgsqlCommand(sql.InsertIntervals, connection, tx)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]> { TypedValue = added.Select(a => a.Row.Landmark).ToArray() },
                    new NpgsqlParameter<DateOnly?[]> { TypedValue = added.Select(a => a.Row.From).ToArray() },
                    new NpgsqlParameter<DateOnly?[]> { TypedValue = added.Select(a => a.Row.To).ToArray() },
                    new NpgsqlParameter<string?[]> { TypedValue = added.Select(a => a.Row.Controller).ToArray() },
                    new NpgsqlParameter<string[]> { TypedValue = added.Select(a => Json.Name(a.Row.Status)).ToArray() },
                    new NpgsqlParameter<string[]> { TypedValue = added.Select(a => a.Document).ToArray() },
                    new NpgsqlParameter<string[]>
                    {
                        TypedValue = added.Select(a => ReadModelSql.ArrayLiteral(a.Row.Evidence.Select(e => e.EventId.ToString()).Distinct())).ToArray(),
                    },
                },
            };
            await insert.ExecuteNonQueryAsync(ct);
        }
        ReadModelWriter.Record("intervals: write", started);
    }

    private async Task<Dictionary<string, List<ControlClaim>>> LoadClaimsAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string[] landmarks, DateOnly?[] since, CancellationToken ct)
    {
        // Landmarks with a day load their recent claims, the others every standing claim.
        var recent = landmarks.Select((l, i) => (l, i)).Where(x => since[x.i] is not null).ToArray();
        var whole = landmarks.Where((_, i) => since[i] is null).ToArray();
        var rows = new List<StoredClaim.Row>();
        await using var batch = new NpgsqlBatch(connection, tx);
        if (recent.Length > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.RecentClaims)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]> { TypedValue = recent.Select(x => x.l).ToArray() },
                    new NpgsqlParameter<DateOnly[]> { TypedValue = recent.Select(x => since[x.i]!.Value).ToArray() },
                },
            });
        if (whole.Length > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql.StandingClaims) { Parameters = { new NpgsqlParameter<string[]> { TypedValue = whole } } });
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            do
            {
                while (await reader.ReadAsync(ct)) rows.Add(StoredClaim.Row.Of(reader));
            }
            while (await reader.NextResultAsync(ct));
        }
        return rows.AsParallel().Select(r => r.ToClaim()).ToList()
            .GroupBy(c => c.Landmark, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }
}
