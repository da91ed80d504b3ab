"""KD502 on a user's own content: messages, files, attachments, documents or subscriptions
deleted with their owner (User, Account, Organization, Workspace, Team) through required
relations are the erasure a GDPR request asks for (low, saying so); the same content deleted
from another root, through an optional relation, or business records (payments, audit logs)
stay medium."""

from __future__ import annotations

from analysis.model import Finding, Severity
from tests.rules.harness import run_rule

DS = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
MIGRATED = {
    "prisma/migrations/20240101000000_init/migration.sql": "-- init\n",
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
}


def chain(root: str, content: str, extra_field: str = "", optional: bool = False) -> str:
    """`root -> Chat -> content`, every relation Cascade (the middle one optional if asked)."""
    q = "?" if optional else ""
    return DS + (
        f"model {root} {{\n  id Int @id\n  chats Chat[]\n}}\n"
        f"model Chat {{\n  id Int @id\n  ownerId Int{q}\n"
        f"  owner {root}{q} @relation(fields: [ownerId], references: [id], onDelete: Cascade)\n"
        f"  items {content}[]\n}}\n"
        f"model {content} {{\n  id Int @id\n  chatId Int\n{extra_field}"
        "  chat Chat @relation(fields: [chatId], references: [id], onDelete: Cascade)\n}\n"
    )


def kd502(schema: str) -> list[Finding]:
    """KD502 findings of the chain's root (the first model); `Chat -> item` is its own."""
    root = schema[len(DS) :].split()[1]
    found = run_rule("KD502", {"prisma/schema.prisma": schema, **MIGRATED})
    return [f for f in found if f.message.startswith(f"deleting one {root} ")]


def test_a_users_own_chat_attachments_are_erased_by_design() -> None:
    # sourcebot: User -> Chat -> ChatAttachment, every relation required
    (f,) = kd502(chain("User", "ChatAttachment"))
    assert f.severity is Severity.LOW
    assert "deleting one User deletes ChatAttachment rows" in f.message
    assert "ChatAttachment is the User's own content" in f.message
    assert "GDPR" in f.message


def test_an_accounts_files_and_an_organizations_messages_are_low() -> None:
    # inbox-zero's EmailAccount owns its documents; openpanel's Organization its messages
    (f,) = kd502(chain("EmailAccount", "AttachmentDocument"))
    assert f.severity is Severity.LOW and "EmailAccount's own content" in f.message
    (g,) = kd502(chain("Organization", "ChatMessage"))
    assert g.severity is Severity.LOW and "Organization's own content" in g.message


def test_content_deleted_from_a_non_owner_root_stays_medium() -> None:
    # deleting a Channel (or a Product) deletes messages other people wrote
    (f,) = kd502(chain("Channel", "Message"))
    assert f.severity is Severity.MEDIUM
    assert "own content" not in f.message


def test_content_through_an_optional_relation_stays_medium() -> None:
    # a Chat can exist without its User, yet deleting the User deletes it and its files
    (f,) = kd502(chain("User", "File", optional=True))
    assert f.severity is Severity.MEDIUM


def test_business_records_stay_medium_whatever_the_root() -> None:
    for model in ("Payment", "AuditLog", "Invoice", "Order"):
        (f,) = kd502(chain("User", model))
        assert f.severity is Severity.MEDIUM, model
        assert "own content" not in f.message


def test_a_subscription_with_payment_data_is_a_business_record() -> None:
    # a billing subscription (a Stripe id) is not the RSS feed a user subscribed to
    (f,) = kd502(chain("Team", "Subscription", extra_field="  stripeSubscriptionId String\n"))
    assert f.severity is Severity.MEDIUM
    (g,) = kd502(chain("Team", "Subscription"))
    assert g.severity is Severity.LOW


def test_business_beside_content_leads_and_stays_medium() -> None:
    schema = chain("User", "Message").replace(
        "  chats Chat[]\n}",
        "  chats Chat[]\n  payments Payment[]\n}",
        1,
    ) + (
        "model Payment {\n  id Int @id\n  userId Int\n"
        "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\n"
    )
    user = [f for f in kd502(schema) if f.message.startswith("deleting one User deletes")]
    assert len(user) == 1
    assert user[0].severity is Severity.MEDIUM
    assert user[0].message.startswith("deleting one User deletes Payment rows")
