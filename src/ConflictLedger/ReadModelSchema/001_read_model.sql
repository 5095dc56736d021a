-- The read model: everything here is derived from the log and can be rebuilt.

-- Each version of each account, reduced to what it says about control of one landmark.
-- Kept with its knowledge window (known_from .. superseded_from) so an answer "as known
-- on K" can be derived for any past K.
create table {schema}.control_claims (
  event_id        uuid    not null,
  landmark        text    not null,
  position        bigint  not null,
  occurrence_id   text    not null,
  account_id      text    not null,
  claim           jsonb   not null,
  known_from      date    not null,
  superseded_from date,
  primary key (event_id, landmark)
);
create index control_claims_by_landmark on {schema}.control_claims (landmark);
create index control_claims_by_account on {schema}.control_claims (account_id) where superseded_from is null;

-- Control intervals of every landmark from the claims standing now.
create table {schema}.control_intervals (
  landmark   text    not null,
  valid_from date,
  valid_to   date,
  controller text,
  status     text    not null,
  interval   jsonb   not null
);
create index control_intervals_at on {schema}.control_intervals (landmark, valid_from);

-- Each occurrence with its accounts and casualty figures, as one document.
create table {schema}.occurrences (
  id       text   primary key,
  position bigint not null,
  doc      jsonb  not null
);

create table {schema}.landmarks (
  id        text   primary key,
  parent    text,
  ancestors text[] not null default '{}',
  doc       jsonb  not null
);
create index landmarks_by_parent on {schema}.landmarks (parent);
create index landmarks_by_ancestor on {schema}.landmarks using gin (ancestors);

create table {schema}.actors (
  id  text  primary key,
  doc jsonb not null
);
