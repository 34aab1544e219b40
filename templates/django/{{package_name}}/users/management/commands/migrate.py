"""Django's `migrate`, adopting first a user table that Django's `auth.User` made.

A project from before `users.User` has its users in `auth_user`, made by Django's `auth` app.
`users.0000_user` describes that same table, so where the table exists the migration is
recorded as applied without running, as `migrate --fake-initial` would record it. That has to
happen before `migrate` checks the migration history: the admin's migrations, applied long
ago, now depend on `users.0000_user`, and Django stops at an applied migration whose
dependency is not. This is the way Django's documentation points to for adopting a custom user
model in a live project (ticket #25313); it happens once per database.
"""

from typing import Any

from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

USER_MIGRATION = ("users", "0000_user")
USER_TABLES = {"auth_user", "auth_user_groups", "auth_user_user_permissions"}


def adopt_user_table(connection: BaseDatabaseWrapper) -> bool:
    """Record `users.0000_user` as applied where its tables exist but it is not recorded."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table() or USER_MIGRATION in recorder.applied_migrations():
        return False
    if not set(connection.introspection.table_names()) >= USER_TABLES:
        return False
    recorder.record_applied(*USER_MIGRATION)
    return True


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if adopt_user_table(connection) and options["verbosity"] >= 1:
            self.stdout.write("Adopted the users in auth_user as users.User (users.0000_user).")
        super().handle(*args, **options)
