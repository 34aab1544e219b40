"""0004_account for `users.User`, which it replaces: the same table and rows, reading the users
through `users.User` (a database that has run 0004_account keeps it as applied).

Each user's account: email verification and token version (users/models.py).

A one-to-one table holds them (made when users were Django's `auth.User`, which could not gain
columns). Every user that exists when this runs gets an account, verified as of now: they
registered before email verification existed, and keep logging in as before. New users start
unverified.
"""

import django.db.models.deletion
from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone


def verify_existing_users(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    user_model = apps.get_model("users", "User")
    account_model = apps.get_model("users", "Account")
    now = timezone.now()
    user_ids = user_model.objects.using(alias).values_list("pk", flat=True).iterator()
    account_model.objects.using(alias).bulk_create(
        (account_model(user_id=pk, email_verified_at=now) for pk in user_ids),
        batch_size=500,
    )


class Migration(migrations.Migration):
    replaces = [("users", "0004_account")]

    dependencies = [
        ("users", "0003_loginfailure_client"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Account",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="account",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("email_verified_at", models.DateTimeField(blank=True, null=True)),
                ("token_version", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(verify_existing_users, migrations.RunPython.noop),
    ]
