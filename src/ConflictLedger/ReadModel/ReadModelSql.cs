namespace ConflictLedger.ReadModel;

/// <summary>Every statement on the read model tables of one generation schema.</summary>
internal sealed class ReadModelSql(string schema)
{
    private readonly string s = $"\"{schema}\"";

    public string InsertClaims => $"""
        insert into {s}.control_claims (event_id, landmark, position, occurrence_id, account_id, claim, known_from)
        select * from unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::date[])
        """;

    /// <summary>Marks the standing versions of accounts as replaced from a day on; returns the landmarks they were about.</summary>
    public string SupersedeAccounts => $"""
        update {s}.control_claims c set superseded_from = u.day
          from unnest($1::text[], $2::date[]) as u(account_id, day)
         where c.account_id = u.account_id and c.superseded_from is null
        returning c.landmark
        """;

    public string StandingClaims => $"select claim from {s}.control_claims where landmark = any($1) and superseded_from is null";

    /// <summary>The versions of the claims that stood on a knowledge day.</summary>
    public string ClaimsKnownOn => $"""
        select claim from {s}.control_claims
         where landmark = any($1) and known_from <= $2 and (superseded_from is null or superseded_from > $2)
        """;

    public string AllClaimsOf => $"select claim, known_from, superseded_from from {s}.control_claims where landmark = $1 order by position";

    public string DeleteIntervals => $"delete from {s}.control_intervals where landmark = any($1)";

    public string InsertIntervals => $"""
        insert into {s}.control_intervals (landmark, valid_from, valid_to, controller, status, interval)
        select * from unnest($1::text[], $2::date[], $3::date[], $4::text[], $5::text[], $6::jsonb[])
        """;

    public string IntervalsAt => $"""
        select landmark, interval from {s}.control_intervals
         where landmark = any($1) and (valid_from is null or valid_from <= $2) and (valid_to is null or valid_to > $2)
        """;

    public string IntervalsOf => $"select interval from {s}.control_intervals where landmark = $1 order by valid_from nulls first";

    public string LandmarksWithClaims => $"select distinct landmark from {s}.control_claims";

    public string LoadOccurrences => $"select doc from {s}.occurrences where id = any($1)";

    public string UpsertOccurrences => $"""
        insert into {s}.occurrences (id, position, doc)
        select * from unnest($1::text[], $2::bigint[], $3::jsonb[])
        on conflict (id) do update set position = excluded.position, doc = excluded.doc
        """;

    public string Occurrences => $"select doc from {s}.occurrences order by id";

    public string Occurrence => $"select doc from {s}.occurrences where id = $1";

    public string UpsertLandmark => $"""
        insert into {s}.landmarks (id, parent, doc) values ($1, $2, $3)
        on conflict (id) do update set parent = excluded.parent, doc = excluded.doc
        """;

    /// <summary>Recomputes every landmark's ancestors (the catalog is small, and changes rarely).</summary>
    public string RefreshAncestors => $"""
        with recursive up (id, ancestor, depth) as (
          select id, parent, 1 from {s}.landmarks where parent is not null
          union all
          select up.id, l.parent, up.depth + 1 from up join {s}.landmarks l on l.id = up.ancestor
           where l.parent is not null and up.depth < 50)
        update {s}.landmarks l set ancestors = coalesce(
          (select array_agg(ancestor order by depth) from up where up.id = l.id), array[]::text[])
        """;

    public string UpsertActor => $"insert into {s}.actors (id, doc) values ($1, $2) on conflict (id) do update set doc = excluded.doc";

    public string Landmarks => $"select doc from {s}.landmarks order by id";

    public string Actors => $"select doc from {s}.actors order by id";

    /// <summary>One landmark ($1), everything inside one ($2), or all (neither).</summary>
    public string LandmarkDocs => $"""
        select doc from {s}.landmarks
         where ($1::text is null and $2::text is null)
            or id = $1
            or ($2::text is not null and (id = $2 or ancestors @> array[$2]))
         order by id
        """;

    public string RejectEvent => $"insert into {s}.rejected_events (event_id, position, type, reason) values ($1, $2, $3, $4)";

    public string LandmarkExists => $"select exists (select 1 from {s}.landmarks where id = $1)";
}
