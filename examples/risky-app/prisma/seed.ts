import { PrismaClient } from "@prisma/client";
import bcrypt from "bcryptjs";

const prisma = new PrismaClient();

async function main() {
  await prisma.user.create({
    data: {
      email: "admin@shopfront.test",
      passwordHash: await bcrypt.hash("admin", 10),
      phone: "+490000000000",
      role: "ADMIN",
    },
  });

  await prisma.product.createMany({
    data: [
      { sku: "TSHIRT-BLK-M", name: "T-shirt black M", price: 19.9, stock: 100 },
      { sku: "MUG-LOGO", name: "Logo mug", price: 9.5, stock: 250 },
    ],
  });
}

main()
  .catch((e) => {
    console.error(e);
    process.exit(1);
  })
  .finally(() => prisma.$disconnect());
