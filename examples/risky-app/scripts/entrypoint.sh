#!/bin/sh
# API container entrypoint: wait for Postgres, bring the schema up to date,
# seed, then start the server.

echo "[entrypoint] waiting for postgres at db:5432 ..."
until nc -z db 5432; do
  sleep 1
done
echo "[entrypoint] postgres is up"

if [ "$RESET_DB" = "true" ]; then
  echo "[entrypoint] RESET_DB=true, recreating the database"
  npx prisma db push --force-reset --skip-generate
fi

if [ "$FRESH_START" = "1" ]; then
  echo "[entrypoint] FRESH_START=1, resetting the database to the migrations"
  npx prisma migrate reset --force --skip-generate --skip-seed
fi

if [ "$NODE_ENV" = "development" ]; then
  npx prisma migrate dev --name auto --skip-generate
else
  # add_invoices failed half-way on prod once; keep deploys going
  npx prisma migrate resolve --applied 20240301120000_add_invoices
  npx prisma migrate deploy
fi

# Safety net in case somebody forgot to create a migration
npx prisma db push --accept-data-loss --skip-generate

node scripts/migrate.js

echo "[entrypoint] seeding"
npx prisma db seed

npm run start
