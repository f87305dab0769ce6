"""Send Streamlit's small websocket messages at once, not ~40 ms later (TCP_NODELAY on every connection).

A slider move answers with a burst of small messages (a dozen deltas of 100–300 bytes). With
Nagle's algorithm on, the kernel sends the first and holds the rest until the browser acknowledges
it, and the browser delays that acknowledgement by up to 40 ms: every change waited ~40 ms for no
work at all. asyncio means to switch Nagle off for each connection (``_set_nodelay``), but on
Python 3.11 it does so only for sockets whose ``proto`` is ``IPPROTO_TCP``, and the connections
uvicorn accepts for Streamlit report ``proto`` 0. Measured with bench/st_client.py on this machine:
a Vectors slider round trip took 55 ms (p50) without this and 33 ms with it.
"""

from __future__ import annotations

import asyncio.base_events
import contextlib
import gc
import socket

TCP_FAMILIES = (socket.AF_INET, socket.AF_INET6)
PYTHON_SET_NODELAY = asyncio.base_events._set_nodelay  # asyncio's own, kept for the test that shows why


def _is_tcp_stream(sock: socket.socket) -> bool:
    return sock.family in TCP_FAMILIES and sock.type == socket.SOCK_STREAM and sock.proto in (0, socket.IPPROTO_TCP)


def set_nodelay(sock: socket.socket) -> None:
    """Nagle off for a TCP stream socket, whatever its ``proto`` says; other sockets are left alone."""
    if _is_tcp_stream(sock):
        with contextlib.suppress(OSError):  # a socket closed meanwhile
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _open_tcp_sockets() -> list[socket.socket]:
    # type(), not isinstance(): isinstance reads __class__, which some lazy module proxies warn about.
    return [obj for obj in gc.get_objects() if issubclass(type(obj), socket.socket) and obj.fileno() != -1]


def send_small_messages_at_once() -> int:
    """Nagle off for every connection this process accepts from now on, and for those already open.

    The app's code first runs after the first visitor's connection was accepted, hence both. Returns
    how many open sockets were set.
    """
    asyncio.base_events._set_nodelay = set_nodelay  # what every new asyncio TCP transport calls
    opened = [sock for sock in _open_tcp_sockets() if _is_tcp_stream(sock)]
    for sock in opened:
        set_nodelay(sock)
    return len(opened)
