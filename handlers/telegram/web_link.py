"""/web: a one-time sign-in link to the person's own web page."""

from __future__ import annotations

from telegram import Update

from compliance.office.web_access import issue_link
from handlers.scope import current_scope
from handlers.telegram import render
from handlers.telegram.context import BotContext
from handlers.views import web as views

SIGN_IN_PATH = "/signin/"
MINI_APP_PATH = "/app"


async def web_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    assert scope.actor is not None  # the gate lets members only through (handlers.commands)
    token = await issue_link(scope.session, official_id=scope.actor.id, issued_by="chat")
    # Stored before it is sent: a person who taps the link at once finds it.
    await scope.commit()
    public_url = context.services.public_url
    # Telegram opens Mini Apps over HTTPS only.
    mini_app = public_url + MINI_APP_PATH if public_url.startswith("https://") else None
    await render.answer(update, views.sign_in_link(public_url + SIGN_IN_PATH + token, mini_app=mini_app))
