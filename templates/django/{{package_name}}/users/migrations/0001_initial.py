"""The failed-login table, and one account per email whatever its case.

Users are Django's own `auth.User` (a project from before auth already has its table), so the
rule "one account per email, case-insensitively" is a unique index on LOWER(email) rather
than a change to that table. Blank emails (users made by `createsuperuser` without one) are
left out of it.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Lower


def refuse_duplicate_emails(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    user_model = apps.get_model("auth", "User")
    duplicates = (
        user_model.objects.exclude(email="")
        .annotate(lower_email=Lower("email"))
        .values("lower_email")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
        .values_list("lower_email", flat=True)
    )
    if duplicates:
        raise RuntimeError(
            "These emails belong to more than one user: "
            f"{', '.join(sorted(duplicates))}. Give each user a distinct email (in /admin/), "
            "then run the migrations again."
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoginFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.CharField(db_index=True, max_length=254)),
                ("failed_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(refuse_duplicate_emails, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX users_unique_email ON auth_user (LOWER(email)) WHERE email <> ''",
            "DROP INDEX users_unique_email",
        ),
    ]
