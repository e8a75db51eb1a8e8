"""Sign-in end to end (issue 12): Streamlit's `st.login` against an OpenID Connect provider this
test starts on loopback (tests/oidc_provider.py), in chromium. A staff member's email signs in as
them (their name in the sidebar, their children only); an unknown email gets "Not set up in Midway"
and nothing else; signing out returns to the sign-in page."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator

import pytest

from services.access.identity import demo_principals
from services.persistence import database as db
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from tests.test_browser import AS_OF, CHROMIUM, ROOT, _free_port, _wait_for_port

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def signed_in_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(Midway's base URL, the database URL): `streamlit run` with `[auth]` in its own secrets file,
    pointing at the loopback provider, over a fresh demo database."""
    tmp = tmp_path_factory.mktemp("signin")
    url = f"sqlite:///{tmp / 'signin.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "services", "demo", "--reset", "--database", url, "--as-of", AS_OF],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    app_port, idp_port = _free_port(), _free_port()
    base = f"http://127.0.0.1:{app_port}"
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{base}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "http://127.0.0.1:{idp_port}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    log = (tmp / "streamlit.log").open("w")
    with running_provider(idp_port):
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "server.py",
                "--server.headless", "true", "--server.port", str(app_port), "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                "--secrets.files", str(secrets_file),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_for_port(app_port, proc)
            yield base, url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def _sign_in(browser, base: str, email: str):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(base)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Email").fill(email)  # the provider's own login page
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/**")
    return ctx, page


def test_a_staff_member_signs_in_and_sees_only_their_children(signed_in_server, browser) -> None:
    base, url = signed_in_server
    engine = db.make_engine(url)
    iro = demo_principals(engine)["IRO01"]
    engine.dispose()
    ctx, page = _sign_in(browser, base, "IRO01@Example.Invalid")  # matched case-insensitively
    try:
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text(f"Signed in as {iro.name}").wait_for(timeout=60_000)
        page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
        assert page.get_by_text("Demo mode").count() == 0  # signed in: no demo banner, no "Act as"
        assert sidebar.get_by_text("Act as").count() == 0
        page.goto(f"{base}/heatmap")  # a service manager's page
        page.get_by_text("Only service managers can see the team heatmap.").wait_for(timeout=60_000)
        page.goto(base)
        page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    finally:
        ctx.close()


def test_an_unknown_email_gets_not_set_up_and_nothing_else(signed_in_server, browser) -> None:
    base, _ = signed_in_server
    ctx, page = _sign_in(browser, base, "stranger@example.invalid")
    try:
        page.get_by_role("heading", name="Not set up in Midway").wait_for(timeout=60_000)
        page.get_by_text("stranger@example.invalid").wait_for()
        assert page.get_by_role("heading", name="Overview").count() == 0
        assert page.get_by_test_id("stSidebarNav").count() == 0  # no navigation: nothing else to open
        page.goto(f"{base}/timeline?child=C00001")
        page.get_by_role("heading", name="Not set up in Midway").wait_for(timeout=60_000)
        assert page.get_by_text("C00001").count() == 0
    finally:
        ctx.close()
