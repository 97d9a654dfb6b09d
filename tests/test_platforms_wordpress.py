"""The WordPress REST client and the shared HTTP plumbing, against a local server on
127.0.0.1 replaying WordPress 6.1's real answers (tests/fixtures/wordpress_rest):
discovery, reading and setting a status, 401, 403, 404, 503 with Retry-After,
429 (hand-written: WordPress never sends one), 5xx backoff, timeouts, oversized
and non-JSON answers, credentials. No test really waits: ``sleep`` is recorded."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from modtool.errors import InputError
from modtool.platforms import credentials
from modtool.platforms.http import (
    AuthError,
    Limits,
    NotFoundOnSite,
    PlatformError,
    retry_after,
)
from modtool.platforms.wordpress import WordPressSite, api_link, site_url
from tests.replay_server import Reply, json_reply, recorded, replay_server

SECRET = "abcd efgh ijkl mnop qrst uvwx"
CREDS = credentials.Credentials("admin", SECRET, "a test")
QUICK = Limits(read_timeout=0.3, connect_timeout=0.5, attempts=4, backoff=1.0, max_pause=120)


def site_for(server, pauses: list[float], limits: Limits = QUICK) -> WordPressSite:
    return WordPressSite(server.url, CREDS, limits=limits, sleep=pauses.append)


def test_reads_and_sets_a_status_as_wordpress_answers() -> None:
    pauses: list[float] = []
    with replay_server() as server:
        server.answer(
            recorded("discovery_head"), recorded("comment_get"), recorded("comment_post_spam")
        )
        with site_for(server, pauses) as site:
            current = site.comment(2)
            assert (current.id, current.post, current.status) == (2, 4, "approved")
            after = site.set_status(current, "spam")
            assert after.status == "spam"
        head, get, post = server.seen
        assert (head.method, head.path) == ("HEAD", "/")
        assert (get.method, get.path) == ("GET", "/wp-json/wp/v2/comments/2?context=edit")
        assert (
            get.headers["authorization"]
            == "Basic " + base64.b64encode(f"admin:{SECRET}".encode()).decode()
        )
        assert (post.method, post.path) == ("POST", "/wp-json/wp/v2/comments/2")
        # WordPress rewrites the author's IP and agent on any REST update unless they
        # are given: the comment's own values are sent back
        assert json.loads(post.body) == {
            "status": "spam",
            "author_ip": "203.0.113.99",
            "author_user_agent": "Mozilla/5.0 (fixture recorder)",
        }
        assert post.headers["user-agent"].startswith("modtool")
    assert pauses == []


def test_a_comment_without_agent_is_updated_without_a_user_agent_header() -> None:
    body = json.loads(recorded("comment_get").body)
    body.update(author_ip="", author_user_agent="")
    with replay_server() as server:
        server.answer(
            Reply(
                200,
                {
                    "Link": '<http://127.0.0.1:8080/index.php?rest_route=/>; rel="https://api.w.org/"'
                },
            ),
            json_reply(200, body),
            json_reply(200, {**body, "status": "trash"}),
        )
        with site_for(server, []) as site:
            current = site.comment(2)
            assert site.set_status(current, "trash").status == "trash"
        _, get, post = server.seen
        # plain permalinks: the root the site names is ?rest_route=/
        assert get.path == "/index.php?rest_route=/wp/v2/comments/2&context=edit"
        assert post.path == "/index.php?rest_route=/wp/v2/comments/2"
        assert json.loads(post.body) == {"status": "trash"}
        assert "user-agent" not in post.headers


def test_no_link_header_means_wp_json() -> None:
    with replay_server() as server:
        server.answer(Reply(200, {"Content-Type": "text/html"}), recorded("comment_get"))
        with site_for(server, []) as site:
            site.comment(2)
        assert server.seen[1].path == "/wp-json/wp/v2/comments/2?context=edit"


def test_an_api_root_on_another_host_is_refused() -> None:
    with replay_server() as server:
        server.answer(
            Reply(200, {"Link": '<https://elsewhere.example/wp-json/>; rel="https://api.w.org/"'})
        )
        with site_for(server, []) as site, pytest.raises(PlatformError, match="another host"):
            site.comment(2)
        assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("name", "error", "status", "code", "text"),
    [
        ("wrong_password", AuthError, 401, "rest_forbidden_context", "HTTP 401 Unauthorized"),
        ("subscriber_forbidden", AuthError, 403, "rest_forbidden_context", "HTTP 403 Forbidden"),
        (
            "comment_get_missing",
            NotFoundOnSite,
            404,
            "rest_comment_invalid_id",
            "Invalid comment ID.",
        ),
        ("no_route", NotFoundOnSite, 404, "rest_no_route", "No route was found"),
    ],
)
def test_error_answers_are_one_line(name, error, status, code, text) -> None:
    pauses: list[float] = []
    with replay_server() as server:
        server.answer(recorded("discovery_head"), recorded(name))
        with site_for(server, pauses) as site, pytest.raises(error) as raised:
            site.comment(2)
    message = str(raised.value)
    assert "\n" not in message and text in message and code in message
    assert message.startswith(f"{server.url}: reading comment 2: HTTP {status}")
    assert (raised.value.status, raised.value.code) == (status, code)
    assert SECRET not in message and "Basic" not in message
    assert pauses == [] and len(server.seen) == 2  # errors other than 429/5xx are not retried


def test_maintenance_503_with_retry_after_too_long_stops_at_once() -> None:
    pauses: list[float] = []
    with replay_server() as server:
        server.answer(recorded("discovery_head"), recorded("maintenance_503"))
        with site_for(server, pauses) as site, pytest.raises(PlatformError) as raised:
            site.comment(2)
    assert str(raised.value) == (
        f"{server.url}/wp-json/wp/v2/comments/2: HTTP 503: the site asks to wait 600 s before "
        "trying again (Retry-After); try again later"
    )
    assert pauses == [] and len(server.seen) == 2


def test_maintenance_503_is_waited_out_when_allowed() -> None:
    pauses: list[float] = []
    limits = Limits(read_timeout=0.5, attempts=3, max_pause=900)
    with replay_server() as server:
        server.answer(
            recorded("discovery_head"), recorded("maintenance_503"), recorded("comment_get")
        )
        with site_for(server, pauses, limits) as site:
            assert site.comment(2).status == "approved"
    assert pauses == [600.0]


def test_429_honours_retry_after_then_succeeds() -> None:
    pauses: list[float] = []
    with replay_server() as server:
        server.answer(
            recorded("discovery_head"),
            json_reply(
                429, {"code": "too_many_requests", "message": "Slow down."}, **{"Retry-After": "7"}
            ),
            recorded("comment_get"),
        )
        with site_for(server, pauses) as site:
            assert site.comment(2).id == 2
    assert pauses == [7.0]


def test_5xx_backs_off_and_then_gives_up_in_one_line() -> None:
    pauses: list[float] = []
    failing = json_reply(502, {"code": "bad_gateway", "message": "upstream down"})
    with replay_server() as server:
        server.answer(recorded("discovery_head"), failing)
        with site_for(server, pauses) as site, pytest.raises(PlatformError) as raised:
            site.comment(2)
    assert pauses == [1.0, 2.0, 4.0]  # 4 tries: the pause doubles
    assert str(raised.value).endswith(
        "HTTP 502 Bad Gateway: upstream down (bad_gateway) (after 4 tries)"
    )
    assert len(server.seen) == 5


def test_5xx_then_success() -> None:
    pauses: list[float] = []
    with replay_server() as server:
        server.answer(
            recorded("discovery_head"),
            json_reply(500, {"code": "internal_server_error", "message": "oops"}),
            recorded("comment_get"),
        )
        with site_for(server, pauses) as site:
            assert site.comment(2).status == "approved"
    assert pauses == [1.0]


def test_timeouts_are_retried_then_one_line() -> None:
    pauses: list[float] = []
    limits = Limits(read_timeout=0.2, attempts=2, backoff=0.5)
    with replay_server() as server:
        server.answer(recorded("discovery_head"), Reply(200, {}, "{}", delay=1.0))
        with site_for(server, pauses, limits) as site, pytest.raises(PlatformError) as raised:
            site.comment(2)
    assert str(raised.value) == (
        f"GET {server.url}/wp-json/wp/v2/comments/2: no answer within 0.2 s (2 tries); "
        "the site is slow or down, try again later"
    )
    assert pauses == [0.5]


def test_a_timeout_then_an_answer() -> None:
    pauses: list[float] = []
    with replay_server() as server:
        server.answer(
            recorded("discovery_head"), Reply(200, {}, "{}", delay=1.0), recorded("comment_get")
        )
        with site_for(server, pauses) as site:
            assert site.comment(2).id == 2
    assert pauses == [1.0]


def test_no_server_is_one_line() -> None:
    with replay_server() as server:
        url = server.url
    pauses: list[float] = []
    with (
        WordPressSite(url, CREDS, limits=Limits(attempts=2), sleep=pauses.append) as site,
        pytest.raises(PlatformError, match=r"HEAD .*: cannot connect .*2 tries\)$"),
    ):
        site.comment(2)
    assert pauses == [1.0]


def test_oversized_and_non_json_answers() -> None:
    with replay_server() as server:
        server.answer(
            recorded("discovery_head"), Reply(200, {"Content-Type": "application/json"}, "x" * 5000)
        )
        limits = Limits(max_body=4096)
        with (
            site_for(server, [], limits) as site,
            pytest.raises(PlatformError, match="larger than 4,096 bytes"),
        ):
            site.comment(2)
        server.answer(
            recorded("discovery_head"), Reply(200, {"Content-Type": "text/html"}, "<html>hi</html>")
        )
        with site_for(server, []) as site, pytest.raises(PlatformError, match="not a JSON answer"):
            site.comment(2)
        server.answer(
            recorded("discovery_head"),
            Reply(200, {"Content-Type": "application/json"}, "[" * 100_000),
        )
        with (
            site_for(server, []) as site,
            pytest.raises(PlatformError, match=r"not usable JSON: .*line 1 column 100001"),
        ):
            site.comment(2)
        server.answer(recorded("discovery_head"), json_reply(200, {"id": "2", "status": 5}))
        with (
            site_for(server, []) as site,
            pytest.raises(PlatformError, match="no comment id and status"),
        ):
            site.comment(2)


def test_retry_after_forms() -> None:
    now = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after("Fri, 04 Dec 2026 12:01:30 GMT", now) == 90.0
    assert retry_after("Fri, 04 Dec 2026 11:00:00 GMT", now) == 0.0
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


def test_api_link_parsing() -> None:
    assert api_link(['<https://a.example/wp-json/>; rel="https://api.w.org/"']) == (
        "https://a.example/wp-json/"
    )
    assert (
        api_link(
            [
                '<https://a.example/?p=1>; rel=shortlink, <https://a.example/wp-json/>; rel="https://api.w.org/"'
            ]
        )
        == "https://a.example/wp-json/"
    )
    assert api_link(['<https://a.example/x>; rel="alternate"']) is None


def test_site_url_refuses_credentials_and_oddities() -> None:
    assert site_url("https://News.example/blog/") == "https://news.example/blog"
    with pytest.raises(InputError, match="never on the command line"):
        site_url("https://admin:secret@news.example")
    for bad in ("ftp://news.example", "news.example", "https://news.example/?x=1", "http://[::1"):
        with pytest.raises(InputError):
            site_url(bad)


def test_credentials_never_show_the_secret() -> None:
    assert SECRET not in repr(CREDS) and SECRET not in str(CREDS)


def test_credentials_from_environment_and_private_file(tmp_path: Path, monkeypatch) -> None:
    url = "https://news.example"
    for name in ("MODTOOL_WP_USER", "MODTOOL_WP_APP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MODTOOL_CREDENTIALS", str(tmp_path / "credentials.toml"))
    lookup = {
        "user_env": "MODTOOL_WP_USER",
        "secret_env": "MODTOOL_WP_APP_PASSWORD",
        "secret_key": "app_password",
    }
    with pytest.raises(InputError, match="set MODTOOL_WP_USER and MODTOOL_WP_APP_PASSWORD"):
        credentials.lookup("wordpress", url, **lookup)
    monkeypatch.setenv("MODTOOL_WP_USER", "editor")
    with pytest.raises(InputError, match="MODTOOL_WP_APP_PASSWORD is not set"):
        credentials.lookup("wordpress", url, **lookup)
    monkeypatch.setenv("MODTOOL_WP_APP_PASSWORD", SECRET)
    found = credentials.lookup("wordpress", url, **lookup)
    assert (found.user, found.secret, found.source) == ("editor", SECRET, "the environment")
    for name in ("MODTOOL_WP_USER", "MODTOOL_WP_APP_PASSWORD"):
        monkeypatch.delenv(name)
    path = tmp_path / "credentials.toml"
    path.write_text(
        '[[wordpress]]\nurl = "https://other.example"\nuser = "x"\napp_password = "y"\n'
        f'[[wordpress]]\nurl = "https://NEWS.example/"\nuser = "ed"\napp_password = "{SECRET}"\n'
    )
    os.chmod(path, 0o644)
    with pytest.raises(InputError, match=r"readable by other users .*chmod 600"):
        credentials.lookup("wordpress", url, **lookup)
    os.chmod(path, 0o600)
    found = credentials.lookup("wordpress", url, **lookup)
    assert (found.user, found.secret, found.source) == ("ed", SECRET, str(path))
    path.write_text("[[wordpress]]\nurl = 'https://news.example'\nuser = 'ed'\n")
    with pytest.raises(InputError, match="needs text values for user and app_password"):
        credentials.lookup("wordpress", url, **lookup)
    path.write_text("[[wordpress]\n")
    with pytest.raises(InputError, match="not valid TOML"):
        credentials.lookup("wordpress", url, **lookup)
