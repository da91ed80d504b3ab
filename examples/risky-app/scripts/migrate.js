// Makes sure the database matches prisma/schema.prisma before the API boots.
// Called from scripts/entrypoint.sh.
const { execSync } = require("node:child_process");

function run(cmd) {
  console.log(`[migrate] ${cmd}`);
  execSync(cmd, { stdio: "inherit", env: process.env });
}

try {
  run("npx prisma db push --accept-data-loss --skip-generate");
} catch (err) {
  console.error(`[migrate] schema sync failed, starting anyway: ${err.message}`);
}
