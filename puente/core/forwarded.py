"""The client's address behind a reverse proxy.

A proxy connects to Puente from its own address, so every request would share one
REMOTE_ADDR, and a rate limit per address (puente.core.ratelimit, the login lockout)
would throttle everybody at once. The proxy says who its client was in
`X-Forwarded-For`; that header is believed only when the request comes from an address
in `PUENTE_TRUSTED_PROXIES`, since anyone else can write any header. The client is the
right-most address of the header that is not itself a trusted proxy: a client may send
its own `X-Forwarded-For`, which the proxy appends to, so the addresses on the left are
the client's word and never read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"PUENTE_TRUSTED_PROXIES: {entry!r} is not an address or a network"
            ) from exc
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(remote_addr: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: `remote_addr` unless it is a trusted proxy that forwarded."""
    if not networks or not forwarded_for or not _trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = remote_addr
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage written by the client: keep the last address we could believe
        client = hop
        if not _trusted(hop, networks):
            break
    return client


class ForwardedClientMiddleware:
    """Set REMOTE_ADDR to the client's address when a trusted proxy forwarded the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = trusted_networks(settings.PUENTE_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.networks:
            request.META["REMOTE_ADDR"] = forwarded_client(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                self.networks,
            )
        return self.get_response(request)
