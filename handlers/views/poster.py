"""The words of a reception point's poster (compliance.feedback.poster lays them out)."""

from __future__ import annotations

from compliance.feedback.poster import PosterLabels
from handlers.i18n import _, use_locale


def poster_labels() -> PosterLabels:
    """In Vietnamese whatever the reader's language: the poster hangs at a Vietnamese office's desk."""
    with use_locale("vi"):
        return PosterLabels(
            title=_("Rate our service"),
            instruction=_(
                "Scan the code to tell us how satisfied you are with how your dossier was handled here."
            ),
            type_address=_("Or type this address:"),
            note=_(
                "No sign-in needed. Your answers stay anonymous unless you choose to leave a contact for "
                "a reply."
            ),
        )
