#!/bin/sh
set -e

if [ -d prisma/migrations ]; then
  npx prisma migrate deploy
else
  echo "No prisma/migrations folder, falling back to prisma db push"
  npx prisma db push
fi

exec node server.js
