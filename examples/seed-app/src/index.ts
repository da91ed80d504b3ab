import cors from "cors";
import express from "express";
import { toNodeHandler } from "better-auth/node";
import { auth } from "./auth";
import { prisma } from "./db";

const app = express();
const port = Number(process.env.PORT ?? 3000);

app.use(cors({ origin: process.env.BETTER_AUTH_URL, credentials: true }));

// Better Auth needs the raw body, so mount it before express.json()
app.all("/api/auth/*", toNodeHandler(auth));

app.use(express.json());

app.get("/health", async (_req, res) => {
  try {
    await prisma.$queryRaw`SELECT 1`;
    res.json({ status: "ok" });
  } catch (err) {
    res.status(503).json({ status: "unavailable", error: (err as Error).message });
  }
});

app.get("/api/organizations/:slug/members", async (req, res) => {
  const org = await prisma.organization.findUnique({
    where: { slug: req.params.slug },
    include: { members: { include: { user: { select: { id: true, name: true, email: true } } } } },
  });
  if (!org) {
    res.status(404).json({ error: "organization not found" });
    return;
  }
  res.json(org.members);
});

const server = app.listen(port, () => {
  console.log(`seed-app listening on :${port}`);
});

async function shutdown(signal: string) {
  console.log(`${signal} received, shutting down`);
  server.close(async () => {
    await prisma.$disconnect();
    process.exit(0);
  });
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
