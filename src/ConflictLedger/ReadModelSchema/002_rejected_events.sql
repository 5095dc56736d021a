-- Events of a domain type the projection could not read (a writer that bypassed the
-- domain stored a partial account). They are set aside here, with the reason, instead
-- of stopping the read model; nothing else in the read model counts them.
create table {schema}.rejected_events (
  event_id    uuid   primary key,
  position    bigint not null,
  type        text   not null,
  reason      text   not null,
  rejected_at timestamptz not null default now()
);
