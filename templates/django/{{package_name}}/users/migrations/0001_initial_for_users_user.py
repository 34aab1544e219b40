"""0001_initial for `users.User`: the failed-login table.

It replaces 0001_initial, which a database that has run that one keeps as applied. 0001_initial
read its users through `auth.User`, which no migration can query once `users.User` takes its
place; and it refused duplicate emails, which would stop a project that only now gains the
users app (every Django project since `users.User`) at its first update. Duplicates are left to
0002, which keeps each address with its oldest user.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("users", "0001_initial")]

    dependencies = [
        ("users", "0000_user"),
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
    ]
