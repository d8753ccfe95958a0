"""The reverse proxy of deploy/nginx/puente.conf, run for real in front of `puente serve`
in production mode: Debian's nginx with the shipped file, only its addresses, ports,
certificate, static folder and upload limit replaced (the limit by 2 MB, to be tested
without sending 200 MB). Checked: nginx accepts the file; plain HTTP redirects to HTTPS
except the health checks; static files come from nginx, cached; Puente sees HTTPS and
no redirect loop; a body over the limit is refused by nginx with 413; the request id is
nginx's; and the client's address reaches Puente's login lockout, so one address locked
out does not lock out another (clients on 127.0.0.2 and 127.0.0.3).

Without nginx the tests are skipped, except in CI (`CI=true`), where they fail."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.replica.harness import PASSWORD, PUENTE, ROOT, free_port

pytestmark = pytest.mark.replica
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
USER = "proxy-user@example.org"


@dataclass
class Proxy:
    http: str
    https: str
    folder: Path

    def access_log(self) -> str:
        return (self.folder / "access.log").read_text()

    def logged(self, text: str) -> bool:
        """Whether nginx's access log holds `text`, waiting a little: nginx writes its
        line once the answer is sent, which the client may read first."""
        for _ in range(50):
            if text in self.access_log():
                return True
            time.sleep(0.1)
        return False


class FromAddress(HTTPAdapter):
    """Connections from one loopback address (127.0.0.2, 127.0.0.3...): another client."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client(address: str = "127.0.0.1") -> requests.Session:
    session = requests.Session()
    session.verify = False  # the test's own self-signed certificate
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would win over verify=False
    adapter = FromAddress(address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _rendered(folder: Path, upstream: int, http: int, https: int) -> str:
    """The shipped file with this machine's ports and paths, nothing else changed."""
    text = (ROOT / "deploy" / "nginx" / "puente.conf").read_text()
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("server_name puente.example.org;", "server_name localhost;"),
        (
            "/etc/letsencrypt/live/puente.example.org/fullchain.pem",
            str(folder / "cert.pem"),
        ),
        ("/etc/letsencrypt/live/puente.example.org/privkey.pem", str(folder / "key.pem")),
        ("alias /var/lib/puente/static/;", f"alias {folder / 'static'}/;"),
        ("client_max_body_size 200m;", "client_max_body_size 2m;"),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/puente.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def _main_conf(folder: Path, site: Path) -> str:
    temp = "\n".join(
        f"    {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # The test's folders are its user's alone: nginx's workers run as that user too
    # (the directive is ignored, with a notice, when the test does not run as root).
    return f"""
user {getpass.getuser()};
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
daemon off;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    log_format ids '$remote_addr $request_id "$request" $status';
    access_log {folder / "access.log"} ids;
{temp}
    include {site};
}}
"""


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: Any) -> Iterator[Proxy]:
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs nginx for the proxy test: apt-get install nginx-light")
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    folder = tmp_path_factory.mktemp("proxy")
    keys = subprocess.run(  # noqa: S603
        [PUENTE, "generate-keys"], capture_output=True, text=True, check=True
    ).stdout
    env = {
        **os.environ,
        **dict(line.split("=", 1) for line in keys.split() if "=" in line),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "PUENTE_DEBUG": "0",
        "PUENTE_ALLOWED_HOSTS": "localhost",
        "PUENTE_TRUSTED_PROXIES": "127.0.0.1",
        "PUENTE_SSL_REDIRECT": "1",
        "PUENTE_STATIC_ROOT": str(folder / "static"),
        "PUENTE_MEDIA_ROOT": str(folder / "media"),
        "PUENTE_CACHE_DIR": str(folder / "cache"),
        "PUENTE_COLUMNAR_DIR": str(folder / "columnar"),
        "PUENTE_LOGIN_FAILURE_LIMIT": "2",
        "PUENTE_REQUIRE_2FA": "0",
    }

    def puente(*args: str) -> None:
        subprocess.run([PUENTE, *args], env=env, check=True, capture_output=True)  # noqa: S603

    puente("migrate", "--noinput", "-v", "0")
    puente("collectstatic", "--noinput", "-v", "0")
    puente("load-reference", "-v", "0")
    puente(
        "create-user", USER, "--role", "sector-coordinator", "--scope", "sector:COL/HEA",
        "--password", PASSWORD,
    )  # fmt: skip
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(folder / "key.pem"),
         "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    upstream, http, https = free_port(), free_port(), free_port()
    site = folder / "puente.conf"
    site.write_text(_rendered(folder, upstream, http, https))
    conf = folder / "nginx.conf"
    conf.write_text(_main_conf(folder, site))
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    checked = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    server_log = (folder / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [PUENTE, "serve", "--bind", f"127.0.0.1:{upstream}", "--workers", "1", "--threads", "4"],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    nginx = subprocess.Popen(  # noqa: S603
        [NGINX, "-c", str(conf), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found = Proxy(f"http://localhost:{http}", f"https://localhost:{https}", folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            last: object = None
            for _ in range(150):
                assert server.poll() is None, (folder / "server.log").read_text()[-3000:]
                assert nginx.poll() is None, (folder / "error.log").read_text()[-3000:]
                try:
                    last = client().get(f"{found.http}/healthz", timeout=2)
                    if last.status_code == 200:  # type: ignore[attr-defined]
                        break
                except requests.ConnectionError as exc:
                    last = exc
                time.sleep(0.2)
            else:
                raise AssertionError(
                    f"no answer from /healthz through nginx in 30 s: {last!r}\n"
                    + (folder / "server.log").read_text()[-2000:]
                )
            yield found
    finally:
        nginx.terminate()
        server.terminate()
        nginx.wait(timeout=30)
        server.wait(timeout=30)
        server_log.close()


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the self-signed certificate
        yield


def test_plain_http_is_sent_to_https_but_the_health_checks(proxy: Proxy) -> None:
    browser = client()
    redirected = browser.get(f"{proxy.http}/accounts/login/", allow_redirects=False)
    assert redirected.status_code == 301
    assert redirected.headers["Location"].startswith("https://localhost")
    assert browser.get(f"{proxy.http}/healthz", allow_redirects=False).status_code == 200


def test_static_files_come_from_nginx_cached(proxy: Proxy) -> None:
    answer = client().get(f"{proxy.https}/static/puente/puente.css")
    assert answer.status_code == 200
    assert "a.correct-link" in answer.text  # the collected file
    assert answer.headers["Cache-Control"] == "max-age=604800, public"
    assert "X-Request-ID" not in answer.headers  # Puente never saw it


def test_puente_sees_https_and_nginx_s_request_id(proxy: Proxy) -> None:
    # HTTPS as nginx says: no redirect (PUENTE_SSL_REDIRECT is on), secure cookies
    answer = client().get(f"{proxy.https}/accounts/login/", allow_redirects=False)
    assert answer.status_code == 200, answer.text[:3000]
    assert "Secure" in answer.headers["Set-Cookie"]
    # the id Puente answers (and logs) is the one nginx made and logged
    request_id = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert proxy.logged(f'{request_id} "GET /accounts/login/'), proxy.access_log()


def test_a_body_over_the_limit_is_refused_by_nginx(proxy: Proxy) -> None:
    answer = client().post(
        f"{proxy.https}/api/5w/imports/", files={"file": ("5w.csv", b"x" * (3 * 1024 * 1024))}
    )
    assert answer.status_code == 413
    assert "nginx" in answer.text
    assert "X-Request-ID" not in answer.headers


def test_the_client_s_address_reaches_the_login_lockout(proxy: Proxy) -> None:
    url = f"{proxy.https}/collect/no-such-project/formList"

    def attempt(address: str, password: str) -> int:
        answer = client(address).get(url, auth=(USER, password), allow_redirects=False)
        return answer.status_code

    # the right password: past authentication (the project is unknown)
    assert attempt("127.0.0.2", PASSWORD) == 404
    # two failures from 127.0.0.2 lock that address out for this user (limit 2): 429,
    # even with the right password
    assert [attempt("127.0.0.2", "wrong") for _ in range(2)] == [401, 429]
    assert attempt("127.0.0.2", PASSWORD) == 429
    # another address is not locked out: Puente told the two clients apart, although
    # both reach it from nginx's own address
    assert attempt("127.0.0.3", PASSWORD) == 404
    # (nginx saw the two addresses; Puente, nginx's address alone)
    assert proxy.logged("127.0.0.2 ") and proxy.logged("127.0.0.3 "), proxy.access_log()
