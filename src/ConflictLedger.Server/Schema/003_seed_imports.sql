-- The seed folders imported whole, by fingerprint (every file's path and content, and the
-- importer's build): a start whose folder and importer are unchanged skips the import
-- (it would append nothing) instead of reading and validating every file again.
create table if not exists {schema}.seed_imports (
  fingerprint text        primary key,
  folder      text        not null,
  imported_at timestamptz not null default now()
);
