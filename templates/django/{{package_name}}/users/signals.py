"""Every user's email is saved in its canonical form (emails.py), whoever saves it: the API,
`createsuperuser`, the admin, a shell. Logins compare the stored form exactly.

The same goes for the rest of a user's life, whoever changes it: each new user gets its
`Account` (unverified, but a superuser's is verified: whoever makes one, with
`createsuperuser` or the admin, vouches for the address), and a
changed password (`set_password()` then `save()`: the API, the admin, `changepassword`, a
shell) ends every token issued before it (models.Account, tokens.py)."""

from typing import Any

from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .emails import canonical_email
from .models import Account, RefreshToken, User


@receiver(pre_save, sender=User)
def store_canonical_email(sender: type[User], instance: User, **kwargs: Any) -> None:
    instance.email = canonical_email(instance.email or "")


@receiver(post_save, sender=User)
def keep_the_account(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:  # loaddata: the fixture brings its own accounts
        return
    if created:
        verified = timezone.now() if instance.is_superuser else None
        Account.objects.get_or_create(user_id=instance.pk, defaults={"email_verified_at": verified})
    # set_password() keeps the new password in `_password` until save() has run.
    elif getattr(instance, "_password", None) is not None:
        account = Account.of(instance)
        Account.objects.filter(pk=account.pk).update(token_version=F("token_version") + 1)
        account.refresh_from_db(fields=["token_version"])
        RefreshToken.revoke_all(instance.pk)
