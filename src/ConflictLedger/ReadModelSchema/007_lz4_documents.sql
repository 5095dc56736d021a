-- Documents longer than about 2 KB (most occurrences: every account, its window and its
-- figures) are compressed by PostgreSQL as they are written; its default, pglz, cost a
-- rebuild's COPY more than the rows themselves. lz4 compresses and reads back several times
-- faster for about the same size. Rows written before keep pglz; both are read alike.
-- A server built without lz4 keeps pglz.
do $$
begin
  alter table {schema}.occurrences alter column doc set compression lz4;
  alter table {schema}.control_claims alter column claim set compression lz4;
  alter table {schema}.control_intervals alter column interval set compression lz4;
  alter table {schema}.landmarks alter column doc set compression lz4;
  alter table {schema}.actors alter column doc set compression lz4;
exception when feature_not_supported then
  raise notice 'lz4 is not available in this PostgreSQL build: documents stay compressed with pglz';
end
$$;
