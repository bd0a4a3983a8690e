-- Whether this warehouse (or snapshot) has the publications' tables (migration 011).
select count(*) = 3 as ready
from duckdb_tables()
where
    database_name = current_database()
    and schema_name = 'main'
    and table_name in ('publications', 'publication_changes', 'publication_tables');
