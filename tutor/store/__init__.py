"""Storage: the tables, the database (connections, migrations, SQLite's serialised writes,
PostgreSQL's pipelined statements) and the queries and writes on those tables.

It knows rows, not teaching: it may import the vocabulary and the configuration, never
teaching, the service or the web. Alembic is the only thing that creates tables.
"""
