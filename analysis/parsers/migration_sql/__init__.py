"""Parse a Prisma `migration.sql` with a real SQL parser, statement by statement.

PostgreSQL and CockroachDB go through libpg_query (pglast); MySQL, SQLite and SQL Server
through sqlglot. Every statement becomes a `Statement` with its line range, the Prisma header
comments before it (`-- CreateTable`), its kind and one `Action` per thing it does (an
`ALTER TABLE` with three sub-commands has three actions), each with the objects it touches.
Prisma's warning block at the top (`/* Warnings: - ... */`) is read line by line.

A statement the parser cannot read becomes a `Statement` of kind `invalid` and a parse
problem (reported as KD612) with its position and the parser's message; the other
statements are still read.
"""
