"""`package.json`: scripts, dependencies, the `prisma` key and workspaces, with lines.

`parse_package_json(source)` keeps every script with the line and column of its value, every
dependency with its section and line, `"prisma": {"schema": ..., "seed": ...}` and the
workspaces. Invalid JSON becomes a parse problem at the line and column the JSON decoder
names. `json_with_lines(text)` (shared with the platform files) returns the decoded value and
the position of every key path.

`script_calls(words, package)` says which `package.json` scripts a command runs:
`npm run x` / `npm run-script x` / `npm start|test|stop|restart`, `pnpm x` / `pnpm run x`,
`yarn x` / `yarn run x`, `bun run x`, with the `pre`/`post` lifecycle hooks npm, yarn and bun
run around them, and the script names of `run-s`/`run-p`/`npm-run-all`. `concurrently`'s
command strings come back as `commands` for the caller to parse.
"""
