"""Makes Rasa honour `timeout` (seconds) under `action_endpoint` in endpoints.yml.

Rasa 3.6 ignores such a key: RemoteAction.run calls the action server with
`timeout=DEFAULT_REQUEST_TIMEOUT` (rasa.core.constants: 300 s), and EndpointConfig.session uses the
same 300 s, so a hung action server holds a patient's request for five minutes. Unknown keys of an
endpoint end up in EndpointConfig.kwargs; this wraps EndpointConfig.request so that, when the endpoint
has a `timeout`, each request uses it instead. On timeout Rasa logs the failed action and goes on
without its events, and the channel sends the apology. Installed by the channel when Rasa loads it.
"""
from typing import Any, Optional, Text

import aiohttp
from rasa.utils.endpoints import EndpointConfig

_original_request = EndpointConfig.request


async def _request_with_endpoint_timeout(
    self: EndpointConfig, method: Text = "post", subpath: Optional[Text] = None,
    content_type: Optional[Text] = "application/json", compress: bool = False, **kwargs: Any,
) -> Optional[Any]:
    seconds = self.kwargs.get("timeout")
    if seconds is not None:
        kwargs["timeout"] = aiohttp.ClientTimeout(total=float(seconds))
    return await _original_request(self, method, subpath, content_type, compress, **kwargs)


def install() -> None:
    """Idempotent: safe to call from every channel instance."""
    EndpointConfig.request = _request_with_endpoint_timeout  # type: ignore[assignment]
