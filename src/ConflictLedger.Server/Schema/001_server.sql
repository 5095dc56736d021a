-- API keys made with the `create-api-key` verb. Only the SHA-256 of a key is kept
-- (hex), so a copy of this table lets nobody in.
create table {schema}.api_keys (
  key_hash   text        primary key,
  name       text        not null,
  created_at timestamptz not null default now()
);

-- Webhook subscriptions. Each one's position in the log is the event store checkpoint
-- named 'webhook:<id>', so delivery resumes where it stopped and replay is a reset.
-- The secret is kept as given: signing needs it.
create table {schema}.webhooks (
  id                   uuid        primary key,
  url                  text        not null,
  types                text[],
  landmark             text,
  secret               text        not null,
  description          text,
  status               text        not null default 'active' check (status in ('active', 'paused', 'disabled')),
  consecutive_failures int         not null default 0,
  last_error           text,
  disabled_at          timestamptz,
  created_at           timestamptz not null default now()
);

-- Every delivery attempt, successful or not, for the deliveries endpoint.
create table {schema}.webhook_deliveries (
  id           bigint      generated always as identity primary key,
  webhook_id   uuid        not null references {schema}.webhooks (id) on delete cascade,
  event_id     uuid        not null,
  position     bigint      not null,
  attempt      int         not null,
  succeeded    boolean     not null,
  status_code  int,
  error        text,
  duration_ms  int         not null,
  attempted_at timestamptz not null default now()
);

create index webhook_deliveries_latest on {schema}.webhook_deliveries (webhook_id, id desc);
