"""Every email in its canonical form (users/emails.py): Unicode NFKC, case-folded, trimmed.

Logins now compare the stored form exactly, so each stored email is rewritten in that form,
and the username with it where the username was the email (as the API makes them). The
unique index on LOWER(email) goes first: it compares with a database function, and it would
refuse the rewrite where two accounts were lookalikes (`Straße@…` and `STRASSE@…`). The
username's unique index keeps one account per address from now on (the API makes the
username the email); a plain index on the email serves the login's exact lookup.

Lookalikes: the oldest account (lowest id) takes the canonical address; each later one keeps
its stored address unchanged, and its rows, but no login reaches it any more (logins look the
canonical address up, oldest first). Rename such an account in /admin/ to let it log in.
"""

import unicodedata

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def canonical_email(raw: str) -> str:
    # A copy of users/emails.py as this migration was written: a migration keeps its meaning
    # whatever later becomes of the app's code.
    return unicodedata.normalize("NFKC", raw).casefold().strip()


def canonicalise_emails(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    user_model = apps.get_model("auth", "User")
    users = user_model.objects.using(schema_editor.connection.alias)
    # NFKC can lengthen an address (`ﬀ` is `ff`): one that would no longer fit is left alone.
    email_length = user_model._meta.get_field("email").max_length or 254
    username_length = user_model._meta.get_field("username").max_length or 150
    claimed: set[str] = set()
    for user in users.exclude(email="").order_by("id").iterator():
        canonical = canonical_email(user.email)
        if canonical in claimed or len(canonical) > email_length:
            continue  # a later lookalike: left as it is
        claimed.add(canonical)
        changes = {"email": canonical}
        if (
            user.username == user.email
            and len(canonical) <= username_length
            and not users.filter(username=canonical).exists()
        ):
            changes["username"] = canonical
        if any(getattr(user, field) != value for field, value in changes.items()):
            users.filter(pk=user.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("users", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP INDEX users_unique_email",
            # Back as 0001_initial made it (which fails if lookalikes now share an address).
            "CREATE UNIQUE INDEX users_unique_email ON auth_user (LOWER(email)) WHERE email <> ''",
        ),
        migrations.RunPython(canonicalise_emails, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE INDEX users_email ON auth_user (email)",
            "DROP INDEX users_email",
        ),
    ]
