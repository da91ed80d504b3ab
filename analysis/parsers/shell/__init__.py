"""Shell scripts: every simple command with its words, line and the context it runs in.

`parse_shell(source)` reads a script (entrypoint, wait-for-db, Makefile helper, ...) and
`parse_shell_text(text, path, line, column)` reads a command string found inside another file
(a `package.json` script, a compose `command`, `sh -c "..."`). Both return a `ShellScript`:
every simple command in source order with

- its words (quotes removed), line and column (from character offsets),
- the conditions it runs under (`if`/`elif`/`else` arms, `&&`/`||` guards, `case` arms), each
  with the variables that must be set for the arm to run (opt-in switches such as
  `if [ "$DATABASE_SETUP" = 1 ]`),
- the loop around it (and whether that loop is bounded: a counter compared with a maximum,
  `seq`, a finite `for` list, `timeout`),
- how its failure is handled: `set -e`/`pipefail` in force at that point, the `||` side
  (`|| true`, `|| exit 1`, a fallback command), piped into another command, tested by `if`,
- `exec`, background `&`, command substitution, the enclosing function.

`sh -c "..."`/`bash -c '...'` strings and `sh <<EOF` here-documents are parsed recursively.

Parsing: a recursive-descent parser of bash's grammar reads the script (it knows `case`,
`[[ ]]`, `(( ))`, `$(( ))`, arrays and here-documents, which bashlex cannot read, and it is an
order of magnitude faster, which matters because the analysis re-runs on every save). From a
statement it cannot read on, bashlex (a port of bash's own parser) gets the rest of the
script; `parse_shell(..., prefer_bashlex=True)` makes bashlex read every statement it can (the
tests cross-check both). A parse problem is recorded only for a statement that neither can
read (an unterminated quote, an `if` without `fi`); the lines after it are read one by one.
"""
