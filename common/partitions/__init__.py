"""Monthly range partitions of the flow tables (docs/scale-out.md).

`ddl` turns a table into a partitioned one (in a migration) and adds months; `services` keeps the months ahead
(the beat job), watches the DEFAULT partitions and detaches a closed year to the archive schema. Which tables are
partitioned is read from the database (`pg_partitioned_table`), so this app knows no other app's tables.
"""
