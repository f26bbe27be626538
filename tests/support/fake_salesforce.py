"""A local fake of the Salesforce REST API, served over HTTPS on 127.0.0.1 (simple-salesforce only speaks
https), with a self-signed certificate the tests trust (``ca_file``).

It answers what ``bot.salesforce`` asks: ``GET /services/data/vNN/query/?q=SOQL`` over ``Opportunity``,
``OpportunityStage`` and ``OpportunityFieldHistory``, paged ``page_size`` records at a time with
``nextRecordsUrl`` (``GET /services/data/vNN/query/<locator>``), filtered by the ``SystemModstamp >`` /
``CreatedDate >`` of the SOQL. Requests without ``Authorization: Bearer <session id>`` get Salesforce's
401 ``INVALID_SESSION_ID``. Every query is recorded in ``queries``, every page request in ``pages``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import re
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SESSION_ID = "00Dfake!session"
_AFTER = re.compile(r"(SystemModstamp|CreatedDate)\s*>\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "fake-salesforce.pem", directory / "fake-salesforce.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class FakeSalesforce:
    page_size: int = 2
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    _cursors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/services/data/{version}/query/", self._query)
        app.router.add_get("/services/data/{version}/query", self._query)
        app.router.add_get("/services/data/{version}/query/{locator}", self._more)
        return app

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {SESSION_ID}"

    @staticmethod
    def _denied() -> web.Response:
        return web.json_response([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                                 status=401)

    def _records(self, soql: str) -> list[dict[str, Any]]:
        source = re.search(r"\bFROM\s+(\w+)", soql)
        table = source.group(1) if source else ""
        rows = {"Opportunity": self.opportunities, "OpportunityStage": self.stages,
                "OpportunityFieldHistory": self.history}.get(table)
        if rows is None:
            raise web.HTTPBadRequest(text=f'[{{"errorCode": "INVALID_TYPE", "message": "{table}"}}]')
        after = _AFTER.search(soql)
        if after:
            column, bound = after.group(1), after.group(2).replace("Z", "+00:00")
            limit = dt.datetime.fromisoformat(bound)
            rows = [r for r in rows if dt.datetime.fromisoformat(r[column].replace("Z", "+00:00")) > limit]
        return [{"attributes": {"type": table}, **r} for r in rows]

    def _page(self, request: web.Request, rows: list[dict[str, Any]]) -> web.Response:
        page, rest = rows[:self.page_size], rows[self.page_size:]
        body: dict[str, Any] = {"totalSize": len(rows), "done": not rest, "records": page}
        if rest:
            locator = f"01g{uuid.uuid4().hex[:12]}-{len(self.pages) + 1}"
            self._cursors[locator] = rest
            body["nextRecordsUrl"] = f"/services/data/{request.match_info['version']}/query/{locator}"
        return web.json_response(body)

    async def _query(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._denied()
        soql = request.query.get("q", "")
        self.queries.append(soql)
        return self._page(request, self._records(soql))

    async def _more(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._denied()
        locator = request.match_info["locator"]
        self.pages.append(locator)
        rows = self._cursors.pop(locator, None)
        if rows is None:
            return web.json_response([{"errorCode": "INVALID_QUERY_LOCATOR", "message": locator}], status=400)
        return self._page(request, rows)


@dataclass
class Served:
    fake: FakeSalesforce
    url: str
    ca_file: Path
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def serve(fake: FakeSalesforce, directory: Path) -> Served:
    """Serve ``fake`` over HTTPS on 127.0.0.1 (a random port) in a thread of its own."""
    cert, key = self_signed(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    started = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(fake.app())
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
        loop.run_until_complete(site.start())
        box["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        box["loop"] = loop
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="fake-salesforce", daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the fake Salesforce did not start")
    return Served(fake, f"https://127.0.0.1:{box['port']}", cert, box["loop"], thread)
