"""Stable pseudonymous ids, so analysts can follow a person across runs without seeing who it is."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def pseudonym(value: str) -> str:
    """Keyed hash of an identifier: the same person always maps to the same id, but it cannot be reversed."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return "X" + digest[:11].upper()
