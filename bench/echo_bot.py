"""A bare python-telegram-bot echo bot: the baseline bench.updates compares Cam Kết Bot against.

It does what any PTB bot must do per update (poll, parse, dispatch, one sendMessage) and nothing else:
no database, no rate limiter, no per-chat ordering. Run as `python -m bench.echo_bot` with BOT_TOKEN and
TELEGRAM_API_URL set, as the real bot is.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

REPLY = "Your details"


async def me(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(REPLY)


def main() -> None:
    api = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    application = (
        ApplicationBuilder()
        .token(os.environ["BOT_TOKEN"])
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .concurrent_updates(64)
        .build()
    )
    application.add_handler(CommandHandler("me", me))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
