"""Zalo as one channel of the process: updates by long polling (getUpdates), or by a webhook route served
beside the web pages when PUBLIC_URL is https; each message answered through handlers.zalo.conversation;
the outbox's Zalo rows sent by its own dispatcher.

One chat's messages are handled one at a time, in the order they came (someone who types their name and
then "huy" must see them handled in that order); different chats concurrently. A message Zalo delivers
twice is answered once: its id is taken (compliance.delivery.replicas.take_event) before it is handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from datetime import timedelta
from weakref import WeakValueDictionary

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.settings import Settings
from compliance.delivery.claims import DEFAULT_LEASE
from compliance.delivery.replicas import forget_events, release_event, take_event
from compliance.delivery.shared_files import forget_expired
from compliance.office import zalo_groups
from compliance.practice import planner
from handlers.zalo import conversation
from handlers.zalo.client import ZaloClient, ZaloError, ZaloUnauthorized
from handlers.zalo.delivery import ZaloDispatcher, ZaloPace, ZaloSender
from handlers.zalo.inbound import ZaloIncoming, ZaloServices
from handlers.zalo.links import AttachmentLinks, fetchable_by_zalo
from handlers.zalo.render import render
from handlers.zalo.updates import parse_update
from storage.clock import utcnow
from storage.engine import Database

log = logging.getLogger("bot.zalo")
WEBHOOK_PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret
CHANNEL = "zalo"
POLL_SECONDS = 30
FORGET_EVERY_SECONDS = 3600.0
TICK_SECONDS = 60.0


class ZaloChannel:
    def __init__(
        self,
        client: ZaloClient,
        database: Database,
        *,
        default_locale: str,
        public_url: str,
        rate_limit: float,
        webhook_secret: str | None = None,
        poll_seconds: int = POLL_SECONDS,
        lease: timedelta | None = None,
        run_dispatcher: bool = True,
        pace: ZaloPace | None = None,
        run_ticks: bool = False,
        groups: bool = False,
    ) -> None:
        self.client = client
        self.database = database
        self.services = ZaloServices(
            database=database, default_locale=default_locale, public_url=public_url, zalo_groups=groups
        )
        # Webhook mode when there is a secret to check the calls with (settings require one with https).
        self.webhook_secret = webhook_secret
        self.poll_seconds = poll_seconds
        self.sender = ZaloSender(client, pace or ZaloPace(rate_limit))
        self.outbox_wakeup = asyncio.Event()
        # Pictures and documents go as PUBLIC_URL/f/<token> links: Zalo's servers fetch the pictures from
        # there, so PUBLIC_URL must be reachable from the internet (see handlers.zalo.links).
        self.links = AttachmentLinks(database, public_url)
        self.dispatcher = ZaloDispatcher(
            self.sender,
            database,
            wakeup=self.outbox_wakeup,
            default_locale=default_locale,
            lease=lease or DEFAULT_LEASE,
            links=self.links,
            groups=groups,
            public_url=public_url,
        )
        self.run_dispatcher = run_dispatcher
        # Telegram's application runs the scheduler's tick; without Telegram (a Zalo-only office) this does.
        self.run_ticks = run_ticks
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()
        self._tasks: set[asyncio.Task[None]] = set()
        self._background: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        # Messages handled so far (answered, skipped as repeats, or failed): what tests and probes wait on.
        self.handled = 0
        self._progress = asyncio.Condition()

    @classmethod
    def from_settings(cls, settings: Settings, database: Database, *, run_ticks: bool = False) -> ZaloChannel:
        secret = settings.zalo_webhook_secret
        return cls(
            ZaloClient(settings.zalo_api_root, settings.zalo_token),
            database,
            default_locale=settings.default_locale,
            public_url=settings.public_url,
            rate_limit=settings.zalo_rate_limit,
            webhook_secret=secret.get_secret_value()
            if settings.zalo_webhook and secret is not None
            else None,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
            run_ticks=run_ticks,
            groups=settings.zalo_groups,
        )

    @property
    def webhook(self) -> bool:
        return self.webhook_secret is not None

    @property
    def description(self) -> str:
        mode = f"webhook at {WEBHOOK_PATH}" if self.webhook else "long polling"
        paused = " (sending paused: bad token)" if self.sender.paused else ""
        groups = ", group chats too (ZALO_GROUPS)" if self.services.zalo_groups else ""
        return f"Zalo by {mode}{groups}{paused}"

    @property
    def name(self) -> str:
        return CHANNEL

    @property
    def health(self) -> str:
        """For /healthz: "paused" when Zalo refused the token (nothing is sent until it is replaced)."""
        return "paused: Zalo refused the token (401)" if self.sender.paused else "ok"

    def wake_outbox(self) -> None:
        self.outbox_wakeup.set()

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._take_call, methods=["POST"])] if self.webhook else []

    # ---- lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Check the token, point Zalo at the webhook (or clear it for polling), start the loops. A bad
        token does not stop the process (Telegram and the pages may still serve): it is logged loudly."""
        try:
            await self.client.get_me()
            if self.webhook:
                assert self.webhook_secret is not None
                await self.client.set_webhook(self.services.public_url + WEBHOOK_PATH, self.webhook_secret)
            else:
                # getUpdates is refused while a webhook is set (one left from an https deployment).
                await self.client.delete_webhook()
        except ZaloUnauthorized:
            self.sender.pause("Zalo refused the bot token (401) at start")
        except ZaloError as exc:
            log.warning("zalo: could not prepare the bot at start (%s); carrying on", exc)
        if not fetchable_by_zalo(self.services.public_url):
            log.warning(
                "zalo: PUBLIC_URL %s is a local address: Zalo's servers cannot fetch pictures from it "
                "(charts will not show); set PUBLIC_URL to the address the internet reaches the bot at",
                self.services.public_url,
            )
        if not self.services.zalo_groups:
            await self._warn_of_linked_groups()
        if not self.webhook:
            self._background.append(asyncio.create_task(self._poll_loop(), name="zalo-polling"))
        if self.run_dispatcher:
            self._background.append(asyncio.create_task(self.dispatcher.run(), name="zalo-outbox-dispatcher"))
        self._background.append(asyncio.create_task(self._forget_loop(), name="zalo-forget-events"))
        if self.run_ticks:
            self._background.append(asyncio.create_task(self._tick_loop(), name="schedule-tick"))

    async def stop(self) -> None:
        """Stop taking updates, let the ones taken be answered, stop the dispatcher, close the client. The
        webhook stays set: other replicas behind the same address keep taking updates."""
        self._stopping.set()
        self.dispatcher.stop()
        for task in self._background:
            if task.get_name() != "zalo-outbox-dispatcher":
                task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.client.close()

    # ---- updates in ---------------------------------------------------------------------------------------
    async def _poll_loop(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                update = await self.client.get_updates(wait_seconds=self.poll_seconds)
            except ZaloUnauthorized:
                self.sender.pause("Zalo refused the bot token (401) on getUpdates")
                await self._pause_polling(60.0)
                continue
            except ZaloError as exc:
                failures += 1
                log.warning("zalo: getUpdates failed (%s); trying again", exc)
                await self._pause_polling(min(2.0**failures, 30.0))
                continue
            failures = 0
            if update is not None:
                self.take(update)

    async def _pause_polling(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _take_call(self, request: Request) -> Response:
        assert self.webhook_secret is not None
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, self.webhook_secret.encode()):
            return Response(status_code=403)
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            log.warning("zalo webhook: a call with the right secret but no JSON")
            return Response(status_code=400)
        # Answered at once; the message is handled in the background (Zalo waits only briefly).
        self.take(body)
        return Response(status_code=200)

    def take(self, body: object) -> None:
        """Queue one update (wrapped or bare) for handling in its chat's order; unreadable ones dropped."""
        incoming = parse_update(body)
        if incoming is None:
            return
        lock = self._locks.get(incoming.chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[incoming.chat_id] = lock
        task = asyncio.create_task(self._handle(incoming, lock), name=f"zalo-update-{incoming.message_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, incoming: ZaloIncoming, lock: asyncio.Lock) -> None:
        async with lock:
            started = time.perf_counter()
            try:
                outcome = await self._answer(incoming)
            except Exception:
                log.exception("zalo: handling message %s failed", incoming.message_id)
                outcome = "failed"
            log.info(
                "zalo message %s user %s %s %.1f ms",
                incoming.message_id,
                incoming.user_id,
                outcome,
                (time.perf_counter() - started) * 1000,
            )
        async with self._progress:
            self.handled += 1
            self._progress.notify_all()

    async def wait_handled(self, count: int, seconds: float = 10.0) -> None:
        """Until `count` messages have been handled since start."""
        async with self._progress:
            await asyncio.wait_for(self._progress.wait_for(lambda: self.handled >= count), seconds)

    async def _answer(self, incoming: ZaloIncoming) -> str:
        async with self.database.unit_of_work() as session:
            taken = await take_event(session, channel=CHANNEL, event_id=incoming.message_id)
        if not taken:
            return "skipped: already taken"
        try:
            answers = await conversation.respond(incoming, self.services)
        except Exception:
            # Handling failed: a repeat of this message is handled afresh.
            async with self.database.unit_of_work() as session:
                await release_event(session, channel=CHANNEL, event_id=incoming.message_id)
            raise
        # The dialogs may have planned outbox rows (a join request to a head): send them now.
        self.outbox_wakeup.set()
        # The head's chart (BAO CAO), a receipt: linked for the person writing, before it is sent.
        try:
            hook = await self.links.hook(answers, zalo_user_id=incoming.user_id)
        except Exception:
            # The answer still goes: a document named without its link, a picture left out.
            log.exception("zalo: making the links of message %s's answer failed", incoming.message_id)
            hook = None
        sends = [item for answer in answers for item in render(answer, attachment_url=hook)]
        try:
            await self.sender.send(incoming.chat_id, sends)
        except ZaloError as exc:
            return f"answered, not delivered ({exc.error_code})"
        return f"answered with {len(sends)}"

    async def _warn_of_linked_groups(self) -> None:
        """ZALO_GROUPS off: groups linked while it was on stay linked (their weekly rows are planned, and
        the dispatcher marks them failed unsent): say so, and how to unlink them."""
        async with self.database.unit_of_work() as session:
            linked = await zalo_groups.linked_count(session)
        if linked:
            log.warning(
                "zalo: ZALO_GROUPS is off but %d Zalo group(s) are linked: their weekly figures are not "
                "posted; to unlink them, turn ZALO_GROUPS on and send HUY LIEN KET in each group",
                linked,
            )

    async def _tick_loop(self) -> None:
        """The scheduler's tick, as Telegram's job queue runs it: the domain plans what is due."""
        while not self._stopping.is_set():
            try:
                async with self.database.unit_of_work() as session:
                    report = await planner.tick(session, now=utcnow())
                if report.planned:
                    log.info("tick planned %s", dict(report.planned))
                    self.outbox_wakeup.set()
                if report.skipped:
                    log.warning(
                        "tick skipped events that fell due while the bot was down: %s", report.skipped
                    )
            except Exception:
                log.exception("the schedule's tick failed; the next one does its work")
            await self._pause_polling(TICK_SECONDS)

    async def _forget_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                async with self.database.unit_of_work() as session:
                    await forget_events(session)
                    # Expired /f/ links, with the bytes of the pictures and receipts behind them.
                    await forget_expired(session, now=utcnow())
            except Exception as exc:
                log.warning("zalo: forgetting old events failed (%s)", type(exc).__name__)
            await self._pause_polling(FORGET_EVERY_SECONDS)
