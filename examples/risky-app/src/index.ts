import express from "express";
import jwt from "jsonwebtoken";
import { prisma } from "./db";

const app = express();
app.use(express.json());

app.get("/health", (_req, res) => {
  res.json({ ok: true });
});

app.get("/products", async (_req, res) => {
  const products = await prisma.product.findMany({ orderBy: { name: "asc" } });
  res.json(products);
});

app.post("/orders", async (req, res) => {
  const token = req.headers.authorization?.replace("Bearer ", "") ?? "";
  const { sub: userId } = jwt.verify(token, process.env.JWT_SECRET!) as { sub: string };
  const { items, currency } = req.body as {
    items: { productId: number; quantity: number }[];
    currency: string;
  };

  const products = await prisma.product.findMany({
    where: { id: { in: items.map((i) => i.productId) } },
  });
  const total = items.reduce((sum, item) => {
    const product = products.find((p) => p.id === item.productId);
    return sum + Number(product?.price ?? 0) * item.quantity;
  }, 0);

  const order = await prisma.order.create({
    data: {
      userId,
      currency,
      total,
      items: {
        create: items.map((item) => ({
          productId: item.productId,
          quantity: item.quantity,
          unitPrice: products.find((p) => p.id === item.productId)?.price ?? 0,
        })),
      },
    },
    include: { items: true },
  });
  res.status(201).json(order);
});

app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log("shopfront-api listening");
});
