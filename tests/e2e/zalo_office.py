"""The real process serving Telegram and Zalo side by side, against both fakes, for the Zalo office test:
what a Zalo user types (and waits to see answered), and the conversation written out as a transcript."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.zalo.render import MAX_TEXT
from tests.e2e.processes import ROOT, WebhookBot
from tests.fakes.botapi import FakeBotApi
from tests.fakes.zalo import FakeZalo

ARTIFACTS = ROOT / "test-artifacts"


SHOWN = 120  # characters of a long message a user typed that the transcript keeps


def shown(text: str) -> str:
    """What a user typed, readable in a text file: control characters escaped, a very long text cut."""
    visible = "".join(
        c if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf") else f"\\u{ord(c):04x}" for c in text
    )
    if len(visible) > SHOWN:
        visible = visible[:SHOWN] + f"… ({len(text)} characters in all)"
    return visible


@dataclass
class Said:
    at: float
    user: str
    text: str


@dataclass
class ZaloOffice:
    """Both fakes and one `python -m bot run` with both tokens; PUBLIC_URL is its own port."""

    database_url: str
    zalo: FakeZalo = field(default_factory=FakeZalo)
    telegram: FakeBotApi = field(default_factory=FakeBotApi)
    said: list[Said] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bot: WebhookBot | None = None

    async def start(self, **env: str) -> WebhookBot:
        await self.zalo.start()
        await self.telegram.start()
        bot = WebhookBot(self.telegram, self.database_url, webhook=False)
        bot.extra_env.update(
            ZALO_BOT_TOKEN=self.zalo.token,
            ZALO_API_URL=self.zalo.url,
            PUBLIC_URL=bot.url,
            DEFAULT_LOCALE="vi",
            **env,
        )
        self.bot = bot
        await bot.start()
        return bot

    async def stop(self) -> int | None:
        await self.zalo.release_pollers()
        await self.telegram.release_pollers()
        code = await self.bot.stop() if self.bot is not None else None
        await self.zalo.stop()
        await self.telegram.stop()
        return code

    async def say(self, user: str, text: str, *, timeout: float = 30.0) -> list[str]:
        """`user` writes `text` on Zalo; once the process has sent its whole answer, the texts that reached
        that chat meanwhile (the answer, and anything the outbox sent at the same time)."""
        assert self.bot is not None
        before = len(self.zalo.sent.get(user, []))
        self.said.append(Said(time.monotonic(), user, text))
        update = await self.zalo.inject(user, text)
        message_id = update["message"]["message_id"]
        line = await self.bot.wait_for_line(lambda x: f"zalo message {message_id} " in x, timeout=timeout)
        assert "answered with" in line, line  # not failed, not refused by Zalo
        return [m.get("text") or f"[picture {m['photo']}]" for m in self.zalo.sent[user][before:]]

    async def received(self, user: str, count: int, *, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Until at least `count` messages have reached the Zalo chat; all of them."""
        await self.zalo.wait_for(lambda: len(self.zalo.sent.get(user, [])) >= count, timeout=timeout)
        return self.zalo.sent[user]

    def oversized(self) -> list[tuple[str, int]]:
        """(chat, length) of every text Zalo was sent that breaks its limit, or is empty."""
        return [
            (chat, len(m.get("text") or m.get("caption") or ""))
            for chat, messages in self.zalo.sent.items()
            for m in messages
            if ("text" in m and not 1 <= len(m["text"]) <= MAX_TEXT) or len(m.get("caption") or "") > MAX_TEXT
        ]

    def transcript(self, names: dict[str, str], path: Path) -> Path:
        """Every Zalo message both ways of the users in `names`, one section each, in the order they came."""
        sections: list[str] = []
        for user, name in names.items():
            lines: list[tuple[float, str]] = [
                (s.at, f">> {name}: {shown(s.text)}") for s in self.said if s.user == user
            ]
            for m in self.zalo.sent.get(user, []):
                text = m["text"] if "text" in m else f"[picture {m.get('photo')}] {m.get('caption') or ''}"
                lines.append((m["at"], f"<< bot: {text.rstrip()}"))
            lines.sort(key=lambda pair: pair[0])
            sections.append(f"==== {name} (Zalo {user}) ====\n" + "\n".join(text for _, text in lines))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
        return path
