/*
  Warnings:

  - You are about to drop the column `nickname` on the `User` table. All the data in the column will be lost.
  - Made the column `phone` on table `User` required. This step will fail if there are existing NULL values in that column.

*/
-- AlterTable
ALTER TABLE "User" DROP COLUMN "nickname",
ALTER COLUMN "phone" SET NOT NULL,
ALTER COLUMN "marketingOptIn" SET DEFAULT false;

-- New consent wording: nobody has agreed to it yet, so opt everyone out.
UPDATE "User" SET "marketingOptIn" = false;
