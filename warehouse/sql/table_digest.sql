-- The rows of table $1 and a digest of its content: the sum of DuckDB's hash of each whole row,
-- modulo 2^64, as 16 hex digits (order-independent; a changed, added or removed row changes it).
select
    count(*) as row_count,
    printf('%016x', (coalesce(sum(hash(table_row)::hugeint), 0) % 18446744073709551616)::ubigint) as digest
from query_table($1) as table_row;
