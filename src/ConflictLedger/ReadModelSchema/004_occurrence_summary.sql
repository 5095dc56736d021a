-- What the bulk timeline needs of each occurrence (where, what kinds, which actors, when),
-- readable and indexable without parsing its document on every query. Filled from the
-- document by a trigger, so the projection writes nothing new. One parse per written row:
-- measured on 20,000 documents, the trigger costs 65-90 µs a row (plain insert 10-20 µs);
-- the same as five generated columns cost 220-300 µs. A projection that writes these
-- columns itself (it holds the occurrence already) can drop the trigger.
alter table {schema}.occurrences
  add column if not exists places   text[] not null default '{}',
  add column if not exists kinds    text[] not null default '{}',
  add column if not exists actors   text[] not null default '{}',
  add column if not exists earliest date,
  add column if not exists latest   date;

create or replace function {schema}.occurrence_summary() returns trigger language plpgsql as $$
declare
  d jsonb := new.doc::jsonb;
begin
  new.places := array(select jsonb_array_elements_text(d -> 'places'));
  new.kinds := array(select jsonb_array_elements_text(d -> 'kinds'));
  new.actors := array(
    select distinct a ->> 'actor'
      from jsonb_array_elements(d -> 'accounts') account,
           jsonb_array_elements(account -> 'account' -> 'actors') a
     order by 1);
  new.earliest := (d ->> 'earliest')::date;
  new.latest := (d ->> 'latest')::date;
  return new;
end $$;

drop trigger if exists occurrence_summary on {schema}.occurrences;
create trigger occurrence_summary before insert or update of doc on {schema}.occurrences
  for each row execute function {schema}.occurrence_summary();

create index if not exists occurrences_by_place on {schema}.occurrences using gin (places);
