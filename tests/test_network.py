"""The client's network layer (`api.network`, `api.transport`) over real sockets on 127.0.0.1:
TLS with certificates checked, proxies from the environment, idle connections the server
closed or wrote to, timeouts, resets and large answers, each failure the httpcore error the
client sorts into "not sent" or "may have been applied"."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import shutil
import socket
import ssl
import struct
import subprocess
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import FailureKind, GeeLarkClient, TransportFailure
from geelark_tui.api.network import _HIGH_WATER, AsyncioBackend, AsyncioStream
from geelark_tui.api.transport import AsyncioTransport, transport_for
from geelark_tui.simulator import Simulator, SimulatorConfig

TOKEN = "demo-token"
IDS = ["574376043897425800", "574376043897425801"]
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
              "all_proxy", "NO_PROXY", "no_proxy")

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (made by the openssl command)."""
    if shutil.which("openssl") is None:  # .ci/run installs it
        pytest.fail("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tls_sim(certificate: tuple[Path, Path], no_proxies: None,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    """The simulator over https, its certificate the only one the client trusts."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    simulator = Simulator(SimulatorConfig(token=TOKEN))
    simulator.start(tls=context)
    yield simulator
    simulator.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_restart_over_https_checks_the_certificate(tls_sim: Simulator) -> None:
    assert tls_sim.base_url.startswith("https://127.0.0.1:")
    async with GeeLarkClient(tls_sim.base_url, TokenAuth(TOKEN)) as client:
        first = await client.restart(IDS[:1])
        second = await client.restart(IDS[1:])  # on the same TLS connection
    assert (first.code, first.success, second.code, second.success) == (0, 1, 0, 1)
    assert len(tls_sim.requests) == 2


async def test_an_untrusted_certificate_is_not_sent_to(
        tls_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other, _ = make_certificate(tmp_path)  # the same name, another key: not the server's
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    async with GeeLarkClient(tls_sim.base_url, TokenAuth(TOKEN)) as client:
        with pytest.raises(TransportFailure) as failure:
            await client.restart(IDS)
    assert failure.value.kind is FailureKind.NOT_SENT
    assert "could not connect" in str(failure.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(failure.value)
    assert tls_sim.requests == []


async def test_https_goes_through_a_proxy_from_the_environment(
        tls_sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    limits = httpx.Limits()
    assert isinstance(transport_for(tls_sim.base_url, limits), AsyncioTransport)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    assert transport_for(tls_sim.base_url, limits) is None  # httpx's own, with its proxies
    async with GeeLarkClient(tls_sim.base_url, TokenAuth(TOKEN)) as client:
        with pytest.raises(TransportFailure) as failure:  # the proxy refuses: it was used
            await client.restart(IDS)
    assert failure.value.kind is FailureKind.NOT_SENT
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with GeeLarkClient(tls_sim.base_url, TokenAuth(TOKEN)) as client:
        answer = await client.restart(IDS)
    assert (answer.code, answer.success) == (0, 2)


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """The server went away between two requests and came back on the same port: the second
    request goes on a new connection and is restarted, not "may have been applied"."""
    sim = Simulator(SimulatorConfig(token=TOKEN))
    sim.start()
    try:
        async with GeeLarkClient(sim.base_url, TokenAuth(TOKEN)) as client:
            assert (await client.restart(IDS[:1])).success == 1
            sim.stop()  # closes the idle keep-alive connection
            sim.start()
            assert (await client.restart(IDS[1:])).success == 1
    finally:
        sim.stop()


# -- the backend against small servers of the test's own ------------------------------------
@contextlib.asynccontextmanager
async def serving(serve: Serve) -> AsyncIterator[int]:
    """A server on 127.0.0.1 running `serve` for each connection; its port. On the way out
    every connection it accepted is closed too (asyncio's `Server.close` leaves them)."""
    accepted: list[asyncio.StreamWriter] = []

    async def serving_one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await serve(reader, writer)

    server = await asyncio.start_server(serving_one, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in accepted:
            writer.transport.abort()
        await server.wait_closed()


async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


async def connect(port: int, timeout: float = 5.0) -> httpcore.AsyncNetworkStream:
    return await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=timeout)


async def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)  # the event loop takes what arrived meanwhile


async def test_bytes_the_server_sent_an_idle_connection_make_it_readable() -> None:
    """Also once the event loop has taken them from the socket: httpcore must not send the
    next request on it (the bytes would be read as its answer)."""
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
        await reader.read()

    async with serving(serve) as port:
        stream = await connect(port)
        await wait_for(lambda: bool(stream.get_extra_info("is_readable")))
        for _ in range(5):
            await asyncio.sleep(0.01)
            assert stream.get_extra_info("is_readable")
        assert await stream.read(1024) == b"HTTP/1.1 408 Request Timeout\r\n\r\n"
        assert not stream.get_extra_info("is_readable")
        await stream.aclose()


async def test_a_peer_that_closes_makes_the_connection_readable_then_reads_empty() -> None:
    async with serving(close_at_once) as port:
        stream = await connect(port)
        await wait_for(lambda: bool(stream.get_extra_info("is_readable")))
        assert await stream.read(1024) == b""
        with pytest.raises(httpcore.WriteError):
            await stream.write(b"GET / HTTP/1.1\r\n\r\n")
        await stream.aclose()


async def test_a_refused_connection_is_a_connect_error() -> None:
    with pytest.raises(httpcore.ConnectError):
        await connect(closed_port())


async def test_no_answer_in_time_is_a_read_timeout() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with serving(serve) as port:
        stream = await connect(port)
        await stream.write(b"POST / HTTP/1.1\r\n\r\n")
        with pytest.raises(httpcore.ReadTimeout):
            await stream.read(1024, timeout=0.1)
        await stream.aclose()


async def test_an_answer_that_trickles_in_ends_at_the_clients_deadline() -> None:
    """Each byte within the read timeout, the whole never: the request still ends, with an
    outcome that may have been applied (looked up before any resend), at its deadline."""
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{")
        while True:
            await asyncio.sleep(0.1)  # well within the 0.5 s read timeout, every time
            writer.write(b" ")
            await writer.drain()

    async with serving(serve) as port, GeeLarkClient(
            f"http://127.0.0.1:{port}", TokenAuth(TOKEN), timeout=0.5) as client:
        assert client.deadline == 2.0  # twice a connect and a read timeout
        started = asyncio.get_running_loop().time()
        with pytest.raises(TransportFailure) as failed:
            await client.restart(IDS[:1])
        took = asyncio.get_running_loop().time() - started
    assert failed.value.kind is FailureKind.AMBIGUOUS
    assert failed.value.message == "no whole answer within 2 s"
    assert 1.9 <= took < 4.0


async def test_a_wait_for_a_free_connection_does_not_use_up_the_deadline() -> None:
    """One connection, two requests: the second waits ~0.9 s for it (within the 1 s pool
    timeout), then takes ~1.5 s itself: longer than a connect and a read timeout (2 s), but a
    wait for a connection is not a server that does not answer."""
    answer = json.dumps({"code": 0, "msg": "ok", "data": {"totalAmount": 1,
                                                           "successAmount": 1,
                                                           "failAmount": 0,
                                                           "failDetails": []}}).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for pieces in (3, 5):  # the first answer in 0.9 s, the second in 1.5 s
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(answer))
            for n in range(pieces):
                await asyncio.sleep(0.3)  # each within the 1 s read timeout
                writer.write(answer[n * 5:(n + 1) * 5] if n < pieces - 1 else answer[n * 5:])
                await writer.drain()
        await reader.read()

    async with serving(serve) as port, GeeLarkClient(
            f"http://127.0.0.1:{port}", TokenAuth(TOKEN), timeout=1.0,
            max_connections=1) as client:
        first, second = await asyncio.gather(client.restart(IDS[:1]), client.restart(IDS[1:]))
    assert first.success == second.success == 1


async def test_a_peer_that_does_not_read_is_a_write_timeout() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    async with serving(serve) as port:
        stream = await connect(port)
        with pytest.raises(httpcore.WriteTimeout):
            for _ in range(64):  # more than any socket buffers hold
                await stream.write(b"x" * 1024 * 1024, timeout=0.2)
        await stream.aclose()


async def test_a_reset_connection_is_a_read_error() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(4)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # a close with linger 0 sends a reset

    async with serving(serve) as port:
        stream = await connect(port)
        await stream.write(b"ping")
        with pytest.raises(httpcore.ReadError):
            while await stream.read(1024, timeout=5.0):
                pass
        await stream.aclose()


async def test_a_large_answer_arrives_whole_in_pieces_no_larger_than_asked() -> None:
    body = bytes(range(256)) * 16 * 1024  # 4 MiB: reading pauses and resumes on the way

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(body)
        await writer.drain()
        writer.close()

    async with serving(serve) as port:
        stream = await connect(port)
        assert isinstance(stream, AsyncioStream)
        unread = stream._connection.unread
        await wait_for(lambda: len(unread) > _HIGH_WATER)  # reading pauses here
        pieces = []
        while piece := await stream.read(65536, timeout=5.0):
            assert len(piece) <= 65536
            pieces.append(piece)
        assert b"".join(pieces) == body
        await stream.aclose()


async def test_a_handshake_on_a_connection_the_server_closed_is_a_connect_error() -> None:
    async with serving(close_at_once) as port:
        stream = await connect(port)
        assert isinstance(stream, AsyncioStream)
        await wait_for(lambda: stream._connection.ended)  # the event loop took the close
        with pytest.raises(httpcore.ConnectError):
            await stream.start_tls(ssl.create_default_context(), "127.0.0.1", timeout=5.0)


async def test_a_connect_cut_short_leaves_no_socket_open() -> None:
    """Timeouts that end connects at every stage (before, during, just after the connection is
    made) leave no socket for the garbage collector to find open."""
    rng = random.Random(15)
    gc.collect()  # what earlier tests left is theirs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        async with serving(close_at_once) as port:
            for _ in range(300):
                try:
                    stream = await connect(port, timeout=rng.uniform(0, 0.0006))
                except httpcore.ConnectTimeout:
                    continue
                await stream.aclose()
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
