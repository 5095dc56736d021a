-- The position of the last catalog change the read model projected: caches of the
-- catalog reload when it moves (or the active generation changes), not on every append.
alter table {schema}.read_model_generations add column catalog_position bigint not null default 0;
