const express = require("express");
const { PrismaClient } = require("@prisma/client");

const prisma = new PrismaClient();
const app = express();
app.use(express.json());

app.get("/notes", async (_req, res) => {
  res.json(
    await prisma.note.findMany({
      include: { author: true },
      orderBy: [{ pinned: "desc" }, { createdAt: "desc" }],
    }),
  );
});

app.post("/notes", async (req, res) => {
  const { title, body, authorEmail } = req.body;
  const author = await prisma.author.findUniqueOrThrow({ where: { email: authorEmail } });
  res.status(201).json(await prisma.note.create({ data: { title, body, authorId: author.id } }));
});

app.listen(4000, () => console.log("legacy notes on :4000"));
