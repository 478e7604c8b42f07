"""SMS through SMSAPI.pl (``POST /sms.do``), widely used by Polish clinics, over ``httpx``.

Idempotency: the message's key goes as ``idx`` with ``check_idx=1``, so SMSAPI refuses a
second message with the same key (its error 53); this adapter reads that refusal as the
earlier acceptance. A dispatcher that stopped after SMSAPI accepted a message and before it
marked it sent therefore sends it again without a second delivery, as long as SMSAPI keeps
the ``idx`` (it documents no limit; we rely on it for the dispatcher's lease and retries,
minutes to hours).

Errors: network failures, HTTP 5xx and 429, and SMSAPI's codes for a busy or failing
service or an empty account are transient (tried again later); every other code (a bad
number, a refused sender name, a number on the stop list...) is permanent.
"""

from __future__ import annotations

from typing import Any

import httpx

from clientcore.errors import DeliveryFailed

DEFAULT_URL = "https://api.smsapi.pl"
DUPLICATE_IDX = 53
"""SMSAPI's answer to a message whose ``idx`` it already accepted (with ``check_idx=1``)."""
TRANSIENT_CODES = frozenset({52, 103, 200, 201, 202, 203, 999})
"""Too many attempts to one number, not enough credits, submission failed, internal error,
too many simultaneous requests, too many requests, system error: worth trying later."""


class SmsApiGateway:
    """An :class:`~clientcore.ports.messaging.SmsGateway` on SMSAPI.pl with an OAuth token.

    ``client`` may be the host's own ``httpx.Client`` (its timeouts, proxies); by default
    one is made with a 30-second timeout and closed by :meth:`close`.
    """

    def __init__(
        self, token: str, *, base_url: str = DEFAULT_URL, client: httpx.Client | None = None
    ) -> None:
        self._token = token
        self._url = base_url.rstrip("/") + "/sms.do"
        self._owns_client = client is None
        self._client = httpx.Client(timeout=30.0) if client is None else client

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def send_sms(self, *, to: str, sender: str, body: str, idempotency_key: str) -> str:
        form = {
            "to": to.removeprefix("+"),
            "message": body,
            "format": "json",
            "encoding": "utf-8",
            "idx": idempotency_key,
            "check_idx": "1",
        }
        if sender:
            form["from"] = sender
        try:
            response = self._client.post(
                self._url, data=form, headers={"Authorization": f"Bearer {self._token}"}
            )
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"SMSAPI unreachable: {error}", transient=True) from error
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryFailed(
                f"SMSAPI answered HTTP {response.status_code}",
                transient=True,
                code=str(response.status_code),
            )
        return _provider_id(response, idempotency_key)


def _provider_id(response: httpx.Response, idempotency_key: str) -> str:
    try:
        answer: Any = response.json()
    except ValueError:
        raise DeliveryFailed(
            f"SMSAPI answered HTTP {response.status_code} without JSON", transient=True
        ) from None
    error = answer.get("error") if isinstance(answer, dict) else None
    if error is not None:
        code = int(error)
        if code == DUPLICATE_IDX:
            return f"idx:{idempotency_key}"  # accepted before, under this key
        raise DeliveryFailed(
            f"SMSAPI error {code}: {answer.get('message', '')}",
            transient=code in TRANSIENT_CODES,
            code=str(code),
        )
    try:
        return str(answer["list"][0]["id"])
    except (KeyError, IndexError, TypeError):
        raise DeliveryFailed(f"SMSAPI answered {answer!r}", transient=True) from None
