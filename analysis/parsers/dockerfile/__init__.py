r"""Parse a Dockerfile into stages and instructions, every element with its lines.

The parser follows BuildKit's Dockerfile frontend where it matters for the analysis:

- parser directives at the top (`# escape=`\``, `# syntax=...`) and the escape character;
- line continuations (the escape character at the end of a line) joined the way Docker joins
  them (no separator), with comment lines and empty lines inside a continuation dropped;
- heredocs (`RUN <<EOF`, `RUN <<-EOF`, `COPY <<EOF /dest`, several per instruction);
- exec form (a JSON array of strings) and shell form of `RUN`, `CMD`, `ENTRYPOINT`;
- `ENV a=b c="d e"` and the legacy `ENV a b`; `ARG name[=default]`; global `ARG`s substituted
  into `FROM`, stage variables into `WORKDIR`, `COPY`/`ADD` paths, `ENV`, `USER`, `VOLUME`;
- the effective working directory of every instruction (relative `WORKDIR`s resolve against
  the previous one, a stage built `FROM` an earlier stage inherits its directory, environment,
  `ENTRYPOINT` and `CMD`).

Bad input never raises: every problem becomes a `ParseProblem` with its line, and the parser
keeps what it can.
"""
