"""How `briefings run` starts the web server (issue #16: what ships is what the
site bench measures)."""

from briefings.ingest.system import web_server_command


def test_the_web_server_writes_no_access_log_by_default(settings):
    """A per-request access log cost a quarter of the cached pages' throughput;
    the reverse proxy in front logs requests (docs/operations.md)."""
    assert settings.BRIEFINGS_ACCESS_LOG is False
    assert "--access-log" not in web_server_command("127.0.0.1:8000", 2)


def test_the_access_log_can_be_turned_on(settings):
    settings.BRIEFINGS_ACCESS_LOG = True
    command = web_server_command("127.0.0.1:8000", 2)
    assert "--access-log" in command
    assert command[command.index("--workers") + 1] == "2"
