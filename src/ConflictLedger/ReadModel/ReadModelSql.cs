namespace ConflictLedger.ReadModel;

/// <summary>Every statement on the read model tables of one generation schema.</summary>
internal sealed class ReadModelSql(string schema)
{
    private readonly string s = $"\"{schema}\"";

    public string InsertClaims => $"""
        insert into {s}.control_claims (event_id, landmark, position, occurrence_id, account_id, claim, known_from, superseded_from, earliest, latest)
        select * from unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::date[], $8::date[], $9::date[], $10::date[])
        """;

    /// <summary>Marks the standing versions of accounts as replaced from a day on; returns the landmarks and occurrences they were about.</summary>
    public string SupersedeAccounts => $"""
        update {s}.control_claims c set superseded_from = u.day
          from unnest($1::text[], $2::text[], $3::date[]) as u(occurrence_id, account_id, day)
         where c.occurrence_id = u.occurrence_id and c.account_id = u.account_id and c.superseded_from is null
        returning c.landmark, c.occurrence_id
        """;

    /// <summary>
    /// Per landmark of $1, the earliest window start of any version of its accounts of the
    /// occurrences $2 (one pair per row); null when a row predates the window columns.
    /// </summary>
    public string ChangedFrom => $"""
        select c.landmark, case when bool_or(c.earliest is null) then null else min(c.earliest) end
          from {s}.control_claims c
          join unnest($1::text[], $2::text[]) as t(landmark, occurrence_id)
            on c.landmark = t.landmark and c.occurrence_id = t.occurrence_id
         group by c.landmark
        """;

    /// <summary>
    /// Per landmark of $1, every standing claim of the occurrences with a standing claim
    /// ending on or after $2 (<see cref="Control.ControlTimeline.UnchangedBefore"/>).
    /// </summary>
    public string RecentClaims => $"""
        select {StoredClaim.Columns("c")} from {s}.control_claims c
         where c.superseded_from is null and (c.landmark, c.occurrence_id) in (
           select r.landmark, r.occurrence_id from {s}.control_claims r
             join unnest($1::text[], $2::date[]) as w(landmark, since) on r.landmark = w.landmark
            where r.superseded_from is null and r.latest >= w.since
           union all
           -- A row without its window (written by a node of an earlier version) may be recent.
           -- Apart, so the first part scans the window index, not every claim of the landmark.
           select r.landmark, r.occurrence_id from {s}.control_claims r
            where r.landmark = any($1) and r.superseded_from is null and r.latest is null)
        """;

    public string StandingClaims => $"select {StoredClaim.Columns("c")} from {s}.control_claims c where landmark = any($1) and superseded_from is null";

    /// <summary>The versions of the claims that stood on a knowledge day.</summary>
    public string ClaimsKnownOn => $"""
        select {StoredClaim.Columns("c")} from {s}.control_claims c
         where landmark = any($1) and known_from <= $2 and (superseded_from is null or superseded_from > $2)
        """;

    public string AllClaimsOf => $"select {StoredClaim.Columns("c")} from {s}.control_claims c where landmark = $1 order by position";

    /// <summary>Per landmark of $1, its stored intervals ending after $2 (all when null), each by its columns, its document's md5 and its row.</summary>
    public string IntervalsFrom => $"""
        select i.landmark, i.valid_from, i.valid_to, i.controller, i.status, md5(i.interval), i.ctid::text
          from unnest($1::text[], $2::date[]) as w(landmark, since)
          join {s}.control_intervals i
            on i.landmark = w.landmark and coalesce(i.valid_to, 'infinity'::date) > coalesce(w.since, '-infinity'::date)
        """;

    /// <summary>Rows read by <see cref="IntervalsFrom"/> in the same transaction (only the daemon's batch writes a generation's intervals).</summary>
    public string DeleteIntervalRows => $"delete from {s}.control_intervals where ctid = any($1::text[]::tid[])";

    /// <summary>$7: each interval's cited event ids as an <see cref="ArrayLiteral"/> (<see cref="StoredInterval.CitedEventIds"/>).</summary>
    public string InsertIntervals => $"""
        insert into {s}.control_intervals (landmark, valid_from, valid_to, controller, status, interval, evidence)
        select u.landmark, u.valid_from, u.valid_to, u.controller, u.status, u.interval, u.evidence::uuid[]
          from unnest($1::text[], $2::date[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[])
               as u(landmark, valid_from, valid_to, controller, status, interval, evidence)
        """;

    /// <summary>The same rows as <see cref="InsertIntervals"/> through binary COPY, for a generation nobody reads yet (a rebuild's).</summary>
    public string CopyIntervals => $"copy {s}.control_intervals (landmark, valid_from, valid_to, controller, status, interval, evidence) from stdin (format binary)";

    /// <summary>The same rows as <see cref="InsertClaims"/> through binary COPY, for a generation nobody reads yet (a rebuild's).</summary>
    public string CopyClaims => $"copy {s}.control_claims (event_id, landmark, position, occurrence_id, account_id, claim, known_from, superseded_from, earliest, latest) from stdin (format binary)";

    /// <summary>Per landmark, the first interval ending after $2, if it has begun by then, with each claim it cites (<see cref="StoredInterval.ReadAllAsync"/>).</summary>
    public string IntervalsAt => $"""
        select {StoredInterval.Columns("i")}, {StoredClaim.Columns("c")}
          from unnest($1::text[]) as l(id)
          cross join lateral (
            select landmark, interval, valid_from, valid_to, controller, status, evidence from {s}.control_intervals
             where landmark = l.id and coalesce(valid_to, 'infinity'::date) > $2
             order by coalesce(valid_to, 'infinity'::date)
             limit 1) i
          left join {s}.control_claims c on c.landmark = i.landmark and c.event_id = any(i.evidence)
         where i.valid_from is null or i.valid_from <= $2
         order by i.landmark
        """;

    /// <summary>Every interval of the landmarks in $1, in order, with each claim it cites (<see cref="StoredInterval.ReadAllAsync"/>).</summary>
    public string IntervalsOfMany => $"""
        select {StoredInterval.Columns("i")}, {StoredClaim.Columns("c")} from {s}.control_intervals i
          left join {s}.control_claims c on c.landmark = i.landmark and c.event_id = any(i.evidence)
         where i.landmark = any($1) order by i.landmark, coalesce(i.valid_to, 'infinity'::date)
        """;

    /// <summary>Lists landmarks whose intervals a catching-up batch left to derive later, from the earliest day any batch changed (null: all).</summary>
    public string MarkStaleLandmarks => $"""
        insert into {s}.stale_landmarks as s (landmark, changed_from) select * from unnest($1::text[], $2::date[])
        on conflict (landmark) do update set changed_from =
          case when s.changed_from is null or excluded.changed_from is null then null else least(s.changed_from, excluded.changed_from) end
        """;

    public string TakeStaleLandmarks => $"delete from {s}.stale_landmarks returning landmark, changed_from";

    /// <summary>Of the given landmarks, those whose stored intervals are stale, each with its standing claims (none: one row with a null claim).</summary>
    public string StaleStandingClaims => $"""
        select s.landmark, {StoredClaim.Columns("c")}
          from {s}.stale_landmarks s
          left join {s}.control_claims c on c.landmark = s.landmark and c.superseded_from is null
         where s.landmark = any($1)
        """;

    public string LandmarksWithClaims => $"select distinct landmark from {s}.control_claims";

    public string LoadOccurrences => $"select doc from {s}.occurrences where id = any($1)";

    /// <summary>Each occurrence's document with its summary columns (<see cref="Control.OccurrenceSummary.Of"/>); $4..$6 are array literals.</summary>
    public string UpsertOccurrences => $"""
        insert into {s}.occurrences (id, position, doc, places, kinds, actors, earliest, latest)
        select u.id, u.position, u.doc, u.places::text[], u.kinds::text[], u.actors::text[], u.earliest, u.latest
          from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::date[])
               as u(id, position, doc, places, kinds, actors, earliest, latest)
        on conflict (id) do update set position = excluded.position, doc = excluded.doc, places = excluded.places,
          kinds = excluded.kinds, actors = excluded.actors, earliest = excluded.earliest, latest = excluded.latest
        """;

    /// <summary>The same rows as <see cref="UpsertOccurrences"/> through binary COPY, for a rebuild's generation (each occurrence written once).</summary>
    public string CopyOccurrences => $"copy {s}.occurrences (id, position, doc, places, kinds, actors, earliest, latest) from stdin (format binary)";

    public string Occurrences => $"select doc from {s}.occurrences order by id";

    public string Occurrence => $"select doc from {s}.occurrences where id = $1";

    public string UpsertLandmarks => $"""
        insert into {s}.landmarks (id, parent, doc) select * from unnest($1::text[], $2::text[], $3::text[])
        on conflict (id) do update set parent = excluded.parent, doc = excluded.doc
        """;

    /// <summary>Recomputes every landmark's ancestors in one pass (joins, not a subquery per landmark: 10,000 landmarks take 0.15 s, not 13).</summary>
    public string RefreshAncestors => $"""
        with recursive up (id, ancestor, depth) as (
          select id, parent, 1 from {s}.landmarks where parent is not null
          union all
          select up.id, l.parent, up.depth + 1 from up join {s}.landmarks l on l.id = up.ancestor
           where l.parent is not null and up.depth < 50),
        chains as (select id, array_agg(ancestor order by depth) as ancestors from up group by id),
        wanted as (select l.id, coalesce(c.ancestors, array[]::text[]) as ancestors
                     from {s}.landmarks l left join chains c on c.id = l.id)
        update {s}.landmarks l set ancestors = w.ancestors
          from wanted w
         where w.id = l.id and l.ancestors is distinct from w.ancestors
        """;

    public string UpsertActors => $"""
        insert into {s}.actors (id, doc) select * from unnest($1::text[], $2::text[])
        on conflict (id) do update set doc = excluded.doc
        """;

    public string Landmarks => $"select doc from {s}.landmarks order by id";

    public string Actors => $"select doc from {s}.actors order by id";

    /// <summary>One landmark ($1), everything inside one ($2), or all (neither).</summary>
    public string LandmarkDoc => $"select doc from {s}.landmarks where id = $1";

    /// <summary>The landmark and everything inside it (a bitmap OR of the key and the ancestors index).</summary>
    public string LandmarkDocsWithin => $"select doc from {s}.landmarks where id = $1 or ancestors @> array[$1] order by id";

    /// <summary>
    /// PostgreSQL's text form of an array, so a statement can take one array per row
    /// through <c>unnest</c> (which flattens an array of arrays): every element quoted.
    /// </summary>
    public static string ArrayLiteral(IEnumerable<string> values)
    {
        var text = new System.Text.StringBuilder("{");
        foreach (var value in values)
        {
            if (text.Length > 1) text.Append(',');
            text.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }
        return text.Append('}').ToString();
    }
}
