// One-off import of v1 customers and orders from MongoDB into Postgres.
//   V1_MONGO_URL=mongodb://localhost:27017/shop_v1 npx tsx tools/import-v1/import.ts
import { PrismaClient as V1Client } from "./node_modules/.prisma/import-v1-client";
import { PrismaClient } from "@prisma/client";

const v1 = new V1Client();
const prisma = new PrismaClient();

async function main() {
  const customers = await v1.customer.findMany();
  for (const customer of customers) {
    await prisma.user.upsert({
      where: { email: customer.email },
      update: {},
      create: {
        email: customer.email,
        displayName: customer.name,
        passwordHash: "!imported",
        phone: "",
      },
    });
  }
  console.log(`imported ${customers.length} customers`);
}

main().finally(async () => {
  await v1.$disconnect();
  await prisma.$disconnect();
});
