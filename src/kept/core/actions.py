"""Writes for users, roles and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kept.core import audit
from kept.core.choices import Role
from kept.core.models import ApiToken

TOKEN_PREFIX = "kept_"  # noqa: S105 (a prefix, not a secret)


@transaction.atomic
def create_user(username: str, password: str, role: str, *, actor=None, email: str = "", **extra):
    """Create a user in one role. Managers may use the admin site for configuration."""
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role %(role)s; choose one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("A user named %(name)s already exists.") % {"name": username})
    user = User(username=username, email=email, is_staff=role == Role.MANAGER, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
    audit.record(actor, "user.create", user, changes={"role": [None, role]})
    return user


@transaction.atomic
def set_role(user, role: str, *, actor, reason: str = ""):
    """Move a user to exactly one role; a permission change is always audited."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    from kept.core.roles import role_of

    old = role_of(user)
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role == Role.MANAGER
    user.save(update_fields=["is_staff"])
    audit.record(actor, "user.set_role", user, reason=reason, changes={"role": [old, role]})
    return user


@transaction.atomic
def create_token(user, *, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """Create a Bearer token; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[len(TOKEN_PREFIX) :][:8], digest=ApiToken.digest_of(raw)
    )
    changes = {"user": [None, user.get_username()], "name": [None, name]}
    audit.record(actor or user, "token.create", token, changes=changes)
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, actor=None, reason: str = "") -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        changes = {"revoked_at": [None, audit.plain(token.revoked_at)]}
        audit.record(actor, "token.revoke", token, reason=reason, changes=changes)
    return token
