-- What the bulk timeline needs of each occurrence (where, what kinds, which actors, when),
-- readable and indexable without parsing its document on every query. Generated from the
-- document, so the projection writes nothing new; a projection that writes these columns
-- itself can replace the generated expressions (same names, same meaning).
create or replace function {schema}.occurrence_texts(doc text, path jsonpath) returns text[]
  language sql immutable parallel safe
  return array(select distinct v #>> '{}' from jsonb_path_query(doc::jsonb, path) v order by 1);

-- Immutable by declaration: the document writes ISO dates, which parse alike under every DateStyle.
create or replace function {schema}.occurrence_day(doc text, field text) returns date
  language sql immutable parallel safe
  return (doc::jsonb ->> field)::date;

alter table {schema}.occurrences
  add column if not exists places   text[] generated always as ({schema}.occurrence_texts(doc, '$.places[*]')) stored,
  add column if not exists kinds    text[] generated always as ({schema}.occurrence_texts(doc, '$.kinds[*]')) stored,
  add column if not exists actors   text[] generated always as ({schema}.occurrence_texts(doc, '$.accounts[*].account.actors[*].actor')) stored,
  add column if not exists earliest date   generated always as ({schema}.occurrence_day(doc, 'earliest')) stored,
  add column if not exists latest   date   generated always as ({schema}.occurrence_day(doc, 'latest')) stored;

create index if not exists occurrences_by_place on {schema}.occurrences using gin (places);
