"""Citizens' side (issue 16): the public rating page behind a desk's QR poster, the reception points and the
spam review, the head's follow-up of a flagged rating, letters to citizens, the units' stars.

Each part is its own module with its own routes(); this package only gathers them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from handlers.web.feedback import followup, letters, points, public, spam, stars


def routes() -> list[BaseRoute]:
    return [route for part in (public, points, spam, followup, letters, stars) for route in part.routes()]
