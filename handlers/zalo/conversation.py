"""The Zalo dialogs' entry point: one inbound message in, the messages to answer with out.

(The dialogs themselves are being built: until then, everyone is told how to join.)
"""

from __future__ import annotations

from handlers.i18n import _, use_locale
from handlers.messages import OutMessage
from handlers.zalo.inbound import ZaloIncoming, ZaloServices


async def respond(incoming: ZaloIncoming, services: ZaloServices) -> list[OutMessage]:
    """One unit of work per message (opened here); the answers are sent by the caller afterwards, with no
    transaction open."""
    with use_locale(services.default_locale):
        return [
            OutMessage(
                _(
                    "Hello! This is the office's pledge bot. To join, send the activation code your office "
                    "gave you (for example K7M-4QX)."
                )
            )
        ]
