"""Redaction that holds against spelling, and whether LLM traffic stays on this machine.

The redactor itself is :class:`studio.injects.privacy.Redactor` (case folding, accents, half names:
see its doc); it is re-exported here with its folding helpers.

:func:`traffic_stays_local` is the question redaction really asks: an endpoint on loopback reached
through an HTTP proxy sends the text to the proxy, so only a loopback endpoint with no proxy in the
way is local.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

from studio.injects.privacy import GENERIC_WORDS, MIN_PART_LENGTH, Redactor, fold, is_loopback, name_parts

__all__ = ["GENERIC_WORDS", "MIN_PART_LENGTH", "Redactor", "fold", "name_parts", "traffic_stays_local"]


def traffic_stays_local(base_url: str | None) -> bool:
    """True when requests to ``base_url`` reach this machine directly: loopback and no proxy.

    The openai client honours HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY, so the same variables
    decide here: a proxy that applies to the endpoint's host sees every request.
    """
    if not is_loopback(base_url):
        return False
    parts = urlsplit(base_url or "")
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme or "http") or proxies.get("all")
    if not proxy:
        return True
    return bool(urllib.request.proxy_bypass_environment(parts.hostname or "", proxies))
