-- One append to one stream, in one statement: what Marten's quick append lacks, wrapped
-- around Marten's own mt_quick_append_events (the function Marten's session calls in
-- Quick mode), so the event rows, stream rows and sequence stay Marten's.
--
-- Why a function: the append lock must be held from before a sequence number is drawn
-- until commit, and the re-send and version checks must run under it. Done from the
-- client that was three round trips (lock and checks, Marten's append, COMMIT) against
-- one for a plain INSERT; here a single-stream append is one autocommitted call.
--
-- The lock: every append of the schema takes it, so numbers are handed out in commit
-- order and a reader by sequence number never misses an event that commits late; a
-- refused append (conflict, re-send) returns before drawing a number, so it leaves no gap.
--
-- outcome: 'appended'; 'replayed' (every id was appended before, to this stream: nothing
-- written, the first result returned); 'duplicate-ids' (some ids belong to another
-- append: nothing written); 'conflict' (the stream is at `version`, not the expected one).
-- expected: -1 any, 0 no stream, n exactly version n.
create or replace function {schema}.ledger_append(
  stream text, expected bigint, event_ids uuid[], event_types text[], dotnet_types text[],
  bodies jsonb[], causation_ids text[], correlation_ids text[], headers jsonb[],
  out outcome text, out version bigint, out seq bigint)
language plpgsql
-- Every statement of an append (ours and Marten's) finds its row by a key, so an index is
-- always right. Left to the planner, plans cached while the tables were small (a new
-- ledger) stay sequential scans for as long as the pooled connection lives, and appends
-- slow down as the log grows (measured: 1,556 appends/s falling to 897/s within 4,000).
set enable_seqscan = off
as $$
declare
  earlier int;
  earlier_elsewhere int;
  appended bigint[];
begin
  perform pg_advisory_xact_lock(1129, hashtext('{schema_name}'));

  if exists (select from {schema}.mt_events e where e.id = any(event_ids)) then
    select count(*), count(*) filter (where e.stream_id is distinct from stream), max(e.version), max(e.seq_id)
      into earlier, earlier_elsewhere, version, seq
      from {schema}.mt_events e where e.id = any(event_ids);
    outcome := case when earlier = cardinality(event_ids) and earlier_elsewhere = 0 then 'replayed' else 'duplicate-ids' end;
    return;
  end if;

  if expected >= 0 then
    select coalesce((select s.version from {schema}.mt_streams s where s.id = stream), 0) into version;
    if expected <> version then
      outcome := 'conflict';
      return;
    end if;
  end if;

  appended := {schema}.mt_quick_append_events(
    stream, null, '*DEFAULT*', event_ids, event_types::varchar[], dotnet_types::varchar[], bodies, null,
    causation_ids::varchar[], correlation_ids::varchar[], headers);
  -- One notification wakes Marten's daemon (this is the channel its session notifies
  -- when UseListenNotifyForEventAppends is on) and the ledger's followers of this schema.
  perform pg_notify('mt_events_appended', '{schema_name}');
  outcome := 'appended';
  version := appended[1];
  seq := appended[cardinality(appended)];
end
$$;
