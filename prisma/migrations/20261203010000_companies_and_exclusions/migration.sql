-- Companies on contacts (set through the API or matched from the email domain, an account setting)
-- so meetings reach company timelines, and per-account exclusion lists: addresses and domains whose
-- people are never logged (SPEC §4.4).

-- CreateEnum
CREATE TYPE "CompanyAssignment" AS ENUM ('EXPLICIT', 'EMAIL_DOMAIN');

-- CreateEnum
CREATE TYPE "ExclusionKind" AS ENUM ('EMAIL', 'DOMAIN');

-- AlterTable
ALTER TABLE "accounts" ADD COLUMN "match_companies_by_domain" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "contacts" ADD COLUMN "company_assignment" "CompanyAssignment",
ADD COLUMN "company_id" UUID;

-- CreateTable
CREATE TABLE "account_exclusions" (
    "account_id" UUID NOT NULL,
    "kind" "ExclusionKind" NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_exclusions_pkey" PRIMARY KEY ("account_id","kind","value")
);

-- DropIndex
DROP INDEX "companies_account_id_idx";

-- CreateIndex
CREATE INDEX "companies_account_id_domain_idx" ON "companies"("account_id", "domain");

-- CreateIndex
CREATE INDEX "contacts_company_id_idx" ON "contacts"("company_id");

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account_exclusions" ADD CONSTRAINT "account_exclusions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
