"""The content type of users moves from `auth.user` to `users.user`, where a database from
before `users.User` has one: its id stays, so the user permissions (add, change, delete and
view user) keep their rows and every group and user that holds them keeps them, now named
`users.change_user` and so on. The admin's history of user changes keeps its links."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def move_user_content_type(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label="users", model="user").exists():
        content_types.filter(app_label="auth", model="user").update(app_label="users")


def restore_user_content_type(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label="auth", model="user").exists():
        content_types.filter(app_label="users", model="user").update(app_label="auth")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("users", "0005_refreshtoken"),
    ]

    operations = [
        migrations.RunPython(move_user_content_type, restore_user_content_type),
    ]
