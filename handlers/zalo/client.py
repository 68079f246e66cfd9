"""The Zalo Bot Platform's HTTP API, spoken with httpx: `<base>/bot<TOKEN>/<method>`, JSON in, the envelope
{ok, result, description, error_code} out.

The token is in every URL, so nothing here lets a URL escape: httpx's own errors (whose text may name the
request) are replaced by a ZaloNetworkError naming only the method, the client's repr shows the base only,
and bot/logs.py keeps httpx's request lines at WARNING and masks the token besides.

Checked against public material (client libraries and samples that quote bot.zaloplatforms.com/docs; the
docs site itself was not reachable from here): the URL scheme, the envelope, the method names and their
parameters, getUpdates' `timeout` sent as a string and its 408 "Request timeout" when nothing came, the
update's fields. Not confirmed: whether 408 comes as the HTTP status or only as the envelope's error_code
(both are read as "nothing came"); what Zalo answers for a user who blocked the bot (403 is our guess);
whether a 429 carries a retry_after (read from `parameters.retry_after` when present); Zalo's quota.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)
MAX_TEXT = 2000
# Long polls are held by Zalo up to `timeout` seconds: the HTTP read waits that long plus this margin.
POLL_MARGIN_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 20.0


class ZaloError(Exception):
    """Zalo refused a call. `error_code` is the envelope's (or the HTTP status when the body had none)."""

    def __init__(
        self,
        error_code: int,
        description: str,
        http_status: int,
        *,
        method: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"Zalo {method or 'call'}: {error_code} {description}".strip())
        self.error_code = error_code
        self.description = description
        self.http_status = http_status
        self.method = method
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth trying again later: quota, timeouts, Zalo's own trouble."""
        return self.error_code in (408, 429) or self.error_code >= 500 or self.http_status >= 500


class ZaloUnauthorized(ZaloError):
    """401: the token is wrong or was revoked; nothing will work until someone sets a new one."""


class ZaloRateLimited(ZaloError):
    """429: over Zalo's quota; `retry_after` seconds when Zalo says (not confirmed that it ever does)."""


class ZaloBlocked(ZaloError):
    """The user cannot be written to (blocked the bot, or never wrote to it). Not confirmed in Zalo's
    docs: our documented guess is HTTP or envelope 403, as on Telegram's API that Zalo's mirrors."""


class ZaloBadRequest(ZaloError):
    """400: a call Zalo will never accept as it is (a text over 2 000 characters, an unknown chat)."""


class ZaloNetworkError(ZaloError):
    """No answer (connection refused, timed out, reset): the transport's error, without its URL."""


_BY_CODE: dict[int, type[ZaloError]] = {
    400: ZaloBadRequest,
    401: ZaloUnauthorized,
    403: ZaloBlocked,
    429: ZaloRateLimited,
}


def _retry_after(body: dict[str, Any]) -> float | None:
    parameters = body.get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else body.get("retry_after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class ZaloClient:
    """One bot's API client. Use as `async with ZaloClient(...)`, or call close()."""

    def __init__(
        self, base_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(REQUEST_TIMEOUT_SECONDS),
            transport=transport,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def __repr__(self) -> str:
        return f"ZaloClient({self.base_url!r})"

    async def __aenter__(self) -> ZaloClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, read_seconds: float | None = None
    ) -> Any:
        """POST the parameters as JSON; the envelope's result, or a ZaloError."""
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            response = await self._http.post(
                url,
                json=params or {},
                timeout=read_seconds if read_seconds is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            # The exception's text and its request may hold the URL: only its kind goes on.
            raise ZaloNetworkError(0, type(exc).__name__, 0, method=method) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if response.is_success:
                raise ZaloError(
                    response.status_code, "not a JSON envelope", response.status_code, method=method
                )
            raise _error(
                response.status_code, f"HTTP {response.status_code}", response.status_code, method, None
            )
        if response.is_success and body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        error_code = code if isinstance(code, int) else response.status_code
        description = str(body.get("description") or f"HTTP {response.status_code}")[:300]
        raise _error(error_code, description, response.status_code, method, _retry_after(body))

    # ---- the methods ---------------------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        return dict(await self.call("getMe"))

    async def get_updates(self, *, wait_seconds: int = 30) -> dict[str, Any] | None:
        """One update, or None when none came within `wait_seconds` (Zalo answers 408 then)."""
        try:
            # Zalo's samples pass the timeout as a string; both are accepted by the fake.
            result = await self.call(
                "getUpdates", {"timeout": str(wait_seconds)}, read_seconds=wait_seconds + POLL_MARGIN_SECONDS
            )
        except ZaloError as exc:
            if exc.error_code == 408 or exc.http_status == 408:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return dict(result) if isinstance(result, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        """1 to 2 000 characters (Zalo's limit: longer texts are split by handlers/zalo/render.py)."""
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return dict(result) if isinstance(result, dict) else {}

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> dict[str, Any]:
        """A picture by URL: Zalo fetches it (more than once), so the URL must stay valid for days."""
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params)
        return dict(result) if isinstance(result, dict) else {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


def _error(
    error_code: int, description: str, http_status: int, method: str, retry_after: float | None
) -> ZaloError:
    kind = _BY_CODE.get(error_code) or _BY_CODE.get(http_status) or ZaloError
    return kind(error_code, description, http_status, method=method, retry_after=retry_after)


def message_id_of(result: dict[str, Any]) -> str | None:
    """The id Zalo gave a sent message, as text (its result carries message_id)."""
    value = result.get("message_id")
    return str(value) if value is not None else None
