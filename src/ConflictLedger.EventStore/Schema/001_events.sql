-- The log. `seq` is the event's global position: unique and handed out at insert,
-- but transactions commit in any order, so readers never order by `seq` alone. Each
-- row also keeps the id of the transaction that wrote it (`tx_id`); readers take only
-- rows whose transaction is older than every transaction still running
-- (pg_snapshot_xmin of their snapshot), in (tx_id, seq) order. A row below that
-- horizon can never be joined by another, so a reader that checkpoints the
-- (tx_id, seq) pair sees each committed event exactly once, in one stable order,
-- and never skips an event that commits late with a smaller seq.
create table {schema}.streams (
  id         text        primary key,
  version    bigint      not null,
  created_at timestamptz not null default now()
);

create table {schema}.events (
  seq         bigint      generated always as identity primary key,
  tx_id       xid8        not null default pg_current_xact_id(),
  id          uuid        not null unique,
  stream_id   text        not null,
  version     bigint      not null,
  type        text        not null,
  data        jsonb       not null,
  metadata    jsonb       not null default '{}',
  recorded_at timestamptz not null default now(),
  unique (stream_id, version)
);

create index events_log_order on {schema}.events (tx_id, seq);

-- One round trip per append. The expected version is checked here, under the
-- stream's row lock, so two writers racing on one stream cannot both win.
-- p_expected: -1 any, 0 no stream, n > 0 the stream's current version.
-- A call whose event ids were all appended before (a retry) returns the original
-- result and writes nothing.
create function {schema}.append_events(
  p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[])
returns table (first_version bigint, last_version bigint, last_seq bigint, last_tx xid8, replayed boolean)
language plpgsql as $$
declare
  current_version bigint;
  known_count int;
  known_stream text;
  n int := cardinality(p_ids);
begin
  insert into {schema}.streams (id, version) values (p_stream, 0) on conflict (id) do nothing;
  select s.version into current_version from {schema}.streams s where s.id = p_stream for update;

  select count(*), min(e.stream_id) into known_count, known_stream
    from {schema}.events e where e.id = any(p_ids);
  if known_count > 0 then
    if known_count = n and known_stream = p_stream then
      return query
        select min(e.version), max(e.version), max(e.seq), max(e.tx_id), true
          from {schema}.events e where e.id = any(p_ids);
      return;
    end if;
    raise exception using errcode = 'CL422',
      message = format('%s of the %s event ids were already appended (to stream %s) by another append; event ids must be unique',
                       known_count, n, known_stream);
  end if;

  if (p_expected = 0 and current_version <> 0) or (p_expected > 0 and current_version <> p_expected) then
    raise exception using errcode = 'CL409',
      message = format('stream %s is at version %s, expected %s', p_stream, current_version, p_expected),
      hint = current_version::text;
  end if;

  update {schema}.streams set version = current_version + n where id = p_stream;

  insert into {schema}.events (id, stream_id, version, type, data, metadata)
  select u.id, p_stream, current_version + u.ord, u.type, u.data, u.metadata
    from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, type, data, metadata, ord)
   order by u.ord;

  -- Wakes subscribers when the transaction commits (PostgreSQL folds repeats).
  perform pg_notify('{schema_name}_log', '');

  return query
    select current_version + 1, current_version + n, currval(pg_get_serial_sequence('{schema_name}.events', 'seq')),
           pg_current_xact_id(), false;
end;
$$;
