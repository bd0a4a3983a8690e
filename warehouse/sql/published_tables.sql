-- The tables a publication digests: every table of the warehouse but those listed in $1.
select table_name
from duckdb_tables()
where
    database_name = current_database()
    and schema_name = 'main'
    and not list_contains($1::varchar[], table_name)
order by table_name;
