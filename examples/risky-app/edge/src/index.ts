import { PrismaClient } from "@prisma/client";
import { PrismaD1 } from "@prisma/adapter-d1";

export interface Env {
  DB: D1Database;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const prisma = new PrismaClient({ adapter: new PrismaD1(env.DB) });
    const url = new URL(request.url);

    if (request.method === "POST" && url.pathname === "/readings") {
      const { serial, value } = (await request.json()) as { serial: string; value: number };
      const device = await prisma.device.upsert({
        where: { serial },
        update: {},
        create: { serial },
      });
      const reading = await prisma.reading.create({ data: { deviceId: device.id, value } });
      return Response.json(reading, { status: 201 });
    }

    const devices = await prisma.device.findMany({ include: { _count: { select: { readings: true } } } });
    return Response.json(devices);
  },
};
