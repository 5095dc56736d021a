-- An update derives a landmark's intervals again only from the last change before the
-- earliest window its new, corrected or retracted accounts name (ControlTimeline.
-- UnchangedBefore), not from its first claim: deriving whole histories made catching up
-- 20,000 events on a 200,000-event log cost 2.1-2.6 times as much as on a 20,000-event one.
-- For that the claims carry their window as columns, found by landmark and occurrence.
alter table {schema}.control_claims
  add column if not exists earliest date,
  add column if not exists latest   date;
update {schema}.control_claims
   set earliest = (claim::jsonb ->> 'earliest')::date, latest = (claim::jsonb ->> 'latest')::date
 where earliest is null;
create index if not exists control_claims_by_occurrence on {schema}.control_claims (landmark, occurrence_id);
create index if not exists control_claims_recent on {schema}.control_claims (landmark, latest) where superseded_from is null;
-- Empty but for rows an older node writes during an upgrade (RecentClaims reads them apart).
create index if not exists control_claims_unwindowed on {schema}.control_claims (landmark) where latest is null;

-- The earliest day a stale landmark's intervals can have changed from; null: from its first claim.
alter table {schema}.stale_landmarks add column if not exists changed_from date;
