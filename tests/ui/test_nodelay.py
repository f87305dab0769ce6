"""Nagle off on the server's connections (ui/nodelay.py): small messages leave at once."""

from __future__ import annotations

import asyncio
import asyncio.base_events
import socket

import pytest

from tests.event_loops import run_apart
from ui import nodelay


def nagle_off(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


@pytest.fixture
def restored(monkeypatch):
    # The function replaces asyncio's own hook; put it back after each test.
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", asyncio.base_events._set_nodelay)


def accepted_by_asyncio() -> socket.socket:
    """The socket of a connection an asyncio server accepted on a proto-0 listener, as uvicorn's."""

    async def serve() -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, like uvicorn's
        listener.bind(("127.0.0.1", 0))
        accepted: asyncio.Future = asyncio.get_running_loop().create_future()

        def connected(reader, writer):
            accepted.set_result(writer.get_extra_info("socket"))

        server = await asyncio.start_server(connected, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        sock = await asyncio.wait_for(accepted, 5)
        nagle = nagle_off(sock)
        writer.close()
        server.close()
        return nagle

    return run_apart(serve())


def test_python_leaves_nagle_on_for_a_proto_zero_listener(restored, monkeypatch):
    # Why the module exists: if this starts failing, asyncio fixed it and the module can go. (Any app
    # test in the same session has already replaced asyncio's hook, hence the original here.)
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", nodelay.PYTHON_SET_NODELAY)
    assert accepted_by_asyncio() is False


def test_connections_accepted_afterwards_send_at_once(restored):
    nodelay.send_small_messages_at_once()
    assert accepted_by_asyncio() is True


def test_connections_already_open_are_switched_too(restored):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server_side, _ = listener.accept()
        with client, server_side:
            assert not nagle_off(server_side)
            assert nodelay.send_small_messages_at_once() >= 2
            assert nagle_off(server_side) and nagle_off(client)


def test_other_sockets_are_left_alone():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        nodelay.set_nodelay(udp)  # no TCP option on a datagram socket: no error, nothing set
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as local:
        nodelay.set_nodelay(local)
