"""Domain errors: expected conflicts carry an HTTP status and a sentence a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; the message is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConflictError(DomainError):
    """The request clashes with the current state (already enrolled, edited by someone else)."""

    status_code = 409


class InvalidTransition(ConflictError):
    """An episode cannot move from its current status to the one asked for."""


class StaleEdit(ConflictError):
    """Someone else saved the record after this form was opened; their change must not be lost."""


class AuditImmutableError(Exception):
    """Raised when code tries to change or delete an audit event."""
