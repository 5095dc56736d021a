-- Intervals name the claims behind them (their event ids here, what each says in the
-- document) instead of copying each claim's source: the copies made the interval table as
-- large as the log. Queries join the ids to control_claims of the same landmark.
alter table {schema}.control_intervals add column if not exists evidence uuid[] not null default '{}';
-- Rows written before this still copy their evidence: the ids are taken from the copies.
update {schema}.control_intervals
   set evidence = array(select distinct (e ->> 'eventId')::uuid from jsonb_array_elements(interval::jsonb -> 'evidence') e)
 where evidence = '{}' and jsonb_array_length(interval::jsonb -> 'evidence') > 0;

-- The occurrence summary columns (004_occurrence_summary.sql) are written by the projection
-- with the document (OccurrenceSummary.Of): the trigger parsed every written document again,
-- 65-90 µs a row.
drop trigger if exists occurrence_summary on {schema}.occurrences;
drop function if exists {schema}.occurrence_summary();

-- Occurrence documents of 2 KB and more (a quarter of them in the 1,000,000-event benchmark)
-- were compressed on every write; up to a page they now stay inline as written.
alter table {schema}.occurrences set (toast_tuple_target = 8160);
