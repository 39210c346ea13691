"""The errors the domain raises: plain exceptions that know nothing of HTTP.

Services, selectors and models raise these; `afterservice_site.errors.exception_handler` maps
them to the API's error envelope (status code and `code` word) and the admin shows them as
messages. Each carries a human sentence (`message`) and, for invalid input, the field errors
under the domain's own field names (the API layer renames them to the wire's).

| exception        | meaning                                           | API answer                  |
|------------------|---------------------------------------------------|-----------------------------|
| InvalidInput     | a value breaks a rule of the data                 | 400 `validation_error`      |
| NotPermitted     | someone else may do this now, not this user       | 403 `permission_denied`     |
| NotFound         | missing, deleted, or not visible to this user     | 404 `not_found`             |
| NotAllowedNow    | nobody may do this in the order's current state   | 409 `invalid_operation`     |
| Conflict         | the order changed under the client, or a limit    | 409 `conflict`              |
| FileTooLarge     | an uploaded file above its size limit             | 413 `request_too_large`     |
| UnsupportedFile  | an uploaded file of a type that is not accepted   | 415 `unsupported_media_type`|
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of the domain's errors: a sentence a person can act on."""

    default_message: Any = _("The request cannot be carried out.")

    def __init__(self, message: Any = None) -> None:
        self.message = force_str(message if message is not None else self.default_message)
        super().__init__(self.message)


class InvalidInput(DomainError):
    """Input that breaks a rule of the data. `errors` maps field names (the domain's) to lists
    of sentences; a list field maps element indexes (from 0) to such a mapping."""

    default_message = _("Invalid input.")

    def __init__(self, errors: Mapping[Any, Any] | None = None, message: Any = None) -> None:
        self.errors: dict[Any, Any] = dict(errors or {})
        super().__init__(message if message is not None else _first_sentence(self.errors))

    @classmethod
    def field(cls, name: str, message: Any) -> InvalidInput:
        """One field, one sentence."""
        return cls({name: [force_str(message)]})


class NotPermitted(DomainError):
    default_message = _("You may not do this.")


class NotFound(DomainError):
    default_message = _("Not found.")


class NotAllowedNow(DomainError):
    default_message = _("This operation is not allowed in the order's current state.")


class Conflict(DomainError):
    default_message = _("The order was changed by someone else; reload it and try again.")


class FileTooLarge(DomainError):
    default_message = _("The file is too large.")


class UnsupportedFile(DomainError):
    default_message = _("This type of file is not accepted.")


def _first_sentence(errors: Any) -> str | None:
    """The first sentence of nested field errors, prefixed with its field (for `message`)."""
    if isinstance(errors, Mapping):
        for _key, value in errors.items():
            inner = _first_sentence(value)
            if inner:
                return inner
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            inner = _first_sentence(value)
            if inner:
                return inner
    elif errors:
        return force_str(errors)
    return None
