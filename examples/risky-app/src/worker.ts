import { Worker } from "bullmq";
import IORedis from "ioredis";
import { prisma } from "./db";

const connection = new IORedis(process.env.REDIS_URL ?? "redis://localhost:6379", {
  maxRetriesPerRequest: null,
});

// Issues invoices for paid orders.
new Worker(
  "invoices",
  async (job) => {
    const order = await prisma.order.findUniqueOrThrow({ where: { id: job.data.orderId } });
    const count = await prisma.invoice.count();
    await prisma.invoice.create({
      data: { orderId: order.id, number: `INV-${String(count + 1).padStart(6, "0")}` },
    });
  },
  { connection },
);

console.log("worker started");
