"""How people are named and found: the user's full name when set, else the username."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


# The name columns copied from a user (saler_name, operator_name) hold 100 characters.
MAX_DISPLAY_NAME = 100


def display_name(user: AbstractUser | None) -> str:
    """Full name when set, else the username; a longer admin-entered name is cut to the column."""
    if user is None:
        return ""
    return (user.get_full_name() or user.username)[:MAX_DISPLAY_NAME]


def find_user(name: str) -> AbstractUser | None:
    """The active user whose username, or else whose unique full name, is `name`."""
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=name).first()
    if user is not None:
        return user
    first, _, last = name.partition(" ")
    matches = list(users.filter(Q(first_name=name, last_name="") | Q(first_name=first, last_name=last))[:2])
    return matches[0] if len(matches) == 1 else None
