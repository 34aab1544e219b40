"""The client address of each login attempt: the throttle counts failures per (account,
client address). Rows from before it have "" (one unknown client), and leave the window
within the hour."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_canonical_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name="loginfailure",
            name="client",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="loginfailure",
            index=models.Index(
                fields=["email", "client", "failed_at"], name="users_login_pair_idx"
            ),
        ),
    ]
