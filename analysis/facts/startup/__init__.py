"""Fact: what runs when the app starts, is built or is deployed, down to each Prisma command.

`startup_paths(ctx)` (in `paths`) returns a `StartupFacts`:

- `paths`: one `StartupPath` per compose service that builds or runs the app (every
  non-database service), per Dockerfile no compose service builds, per platform command
  (`vercel.json` `buildCommand` or Vercel's default, `fly.toml` `release_command`,
  `render.yaml`, `Procfile`, `railway.*`, `nixpacks.toml`, `app.json`, `heroku.yml`,
  `turbo.json` tasks that depend on a `db:*` script), per Dockerfile `RUN` and per
  `package.json` lifecycle script (`postinstall`, `prebuild`, `build`, `vercel-build`,
  `heroku-postbuild`, ...). A path is the chain of `Link`s from its first link (the compose
  `command`/`entrypoint`, else the Dockerfile `ENTRYPOINT`/`CMD` of the stage compose's
  `build.target` picks, else the last stage; the platform setting; the `RUN`) through the
  shell scripts (in-image paths resolved back to project files through the compose bind
  mounts, the Dockerfile's `COPY`s and `WORKDIR`), `package.json` scripts (`npm run x`,
  `pnpm x`, `yarn x`, `bun run x`, lifecycle hooks, `run-s`, `concurrently`), Makefile targets
  and program files (`node x.js`, `tsx x.ts`, `python x.py` and the commands they start) to
  every Prisma command (`PrismaStep`), plus the waits for the database found on the way
  (`WaitStep`: a retry loop, bounded or not, a wait tool, `depends_on: service_healthy`) and
  the entry scripts (whether they end with `exec`).
- `commands`: every Prisma command of the project with its context: "startup" (runs when the
  container starts), "deploy" (a platform's release step), "build" (a Dockerfile `RUN`, an
  install/build lifecycle script, a platform's build command) or "developer" (a
  `package.json` script, Makefile target or script that nothing in those paths runs).
- `docker_commands`: destructive docker commands (`docker compose down -v`, `docker volume
  rm|prune`, `docker system prune --volumes`) in scripts, Makefiles and `package.json`.

Each `PrismaStep` says under which conditions it runs (`if [ "$DATABASE_SETUP" = 1 ]`, "else of
if [ "$has_migrations" = true ]"), whether an opt-in variable that a condition needs is set
by a compose file, Dockerfile `ENV`, `.env` or platform file (`OptIn`), whether it is the
`db push` fallback of a `migrate deploy` (`fallback_kind`), and the shell commands along its
chain (`levels`) so that rules can tell whether a failure stops the start.

Nothing is executed: every file is read through `ctx.parse`.
"""
