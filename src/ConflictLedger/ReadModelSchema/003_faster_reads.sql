-- Documents are read whole and never queried inside: text stores them without jsonb's
-- parse on every insert (most of a rebuild's insert cost, measured).
alter table {schema}.control_claims alter column claim type text;
alter table {schema}.control_intervals alter column interval type text;
alter table {schema}.occurrences alter column doc type text;
alter table {schema}.landmarks alter column doc type text;
alter table {schema}.actors alter column doc type text;

-- "The interval covering T" is the first interval of the landmark that ends after T:
-- one index probe per landmark instead of scanning every interval that began before T.
drop index {schema}.control_intervals_at;
create index control_intervals_ending on {schema}.control_intervals (landmark, (coalesce(valid_to, 'infinity'::date)));
