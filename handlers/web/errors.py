"""What a page raises to answer with a refusal: the page decorator turns each into its status and page."""

from __future__ import annotations


class PageError(Exception):
    status = 400

    def __init__(self, message: str | None = None, *, title: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message
        self.title = title


class BadInput(PageError):
    status = 400


class SignInNeeded(PageError):
    status = 401


class Refused(PageError):
    """Signed in, but this role may not do this."""

    status = 403


class NotFound(PageError):
    """Unknown, or outside what this person may see: the same answer, so ids reveal nothing."""

    status = 404


class TooLarge(PageError):
    status = 413
