"""dev.py's embedded services: a second dev.py process shares the first one's Redis."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from django.conf import settings

from ciam import devserver


def _test_redis_port() -> int:
    """The port of the Redis the tests use (the machine's, or dev.py's embedded one)."""
    return urlsplit(settings.REDIS_URL).port or 6379


def test_a_running_embedded_redis_is_reused(tmp_path, monkeypatch):
    # given: a recorded port where a Redis answers (the test machine's own)
    monkeypatch.setattr(devserver, "VAR", tmp_path)
    (tmp_path / "redis").mkdir()
    port = _test_redis_port()
    (tmp_path / "redis" / "port").write_text(str(port))

    # then: it is used, nothing new is started
    assert devserver.start_embedded_redis() == f"redis://127.0.0.1:{port}/0"


def test_a_port_where_nothing_answers_is_not_redis():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    assert devserver._redis_answers(free) is False
    assert devserver._redis_answers(_test_redis_port()) is True


def test_progress_lines_go_to_stderr_so_json_output_stays_alone(capsys):
    # `python3 dev.py manage create_tenant … --json`: stdout must hold the JSON object only
    devserver.log("embedded PostgreSQL: postgres://…")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "[ciam] embedded PostgreSQL: postgres://…\n"
