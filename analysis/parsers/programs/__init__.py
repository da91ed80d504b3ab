"""Program files a start command runs (`node x.js`, `tsx x.ts`, `ts-node`, `bun x.ts`,
`python x.py`): the shell commands they start, read as text, never executed.

JavaScript/TypeScript goes through a light tokenizer (strings, template literals with `${}`,
comments and regular expressions skipped correctly) that finds:

- `execSync(cmd)`, `exec(cmd)`, `execaCommand(cmd)`, `execaCommandSync(cmd)`,
  `child_process.execSync(...)`: a command string;
- `spawn(file, [args])`, `spawnSync`, `execFile(Sync)`, `execa(file, [args])`, `execaSync`:
  a program and an argument array;
- `Bun.spawn([...])`/`Bun.spawnSync([...])`: an argument array;
- zx / Bun shell `` $`npx prisma migrate deploy` ``: a command string.

A string argument may be a constant declared in the same file (`const cmd = "..."`).
Python files are read with `ast` (parsed, never imported): `subprocess.run/call/Popen/
check_call/check_output` with a string or a list of strings, `os.system`, `os.popen`.

Template placeholders `${x}` are kept as `${x}` in command strings, so a command reads like
the shell text it becomes.
"""
