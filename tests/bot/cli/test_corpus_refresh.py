"""``quotebot corpus refresh``: the shared corpus's link documents fetched again, conditionally."""

from __future__ import annotations

from pathlib import Path

from quotebot.bot import cli
from tests.page_server import Route

PAGE = "<html><body><article><h1>Raid rules</h1><p>Raids start at {hour} in the evening, and invitations go out fifteen minutes before the first pull.</p></article></body></html>"


def test_changed_pages_are_saved_unchanged_ones_cost_a_304_and_failures_are_named(
    clean_env: Path, page_server, monkeypatch, capsys
):
    monkeypatch.setenv("QUOTEBOT_FETCH_ALLOW_HOSTS", "127.0.0.1")
    folder = clean_env / "community"
    folder.mkdir()
    for path, hour in (("/raids.html", "eight"), ("/loot.html", "ten"), ("/old.html", "six")):
        page_server.routes[path] = Route(PAGE.format(hour=hour).encode())
        assert cli.main(["corpus", "add", page_server.url(path), "--corpus", str(folder)]) == 0
    capsys.readouterr()
    page_server.routes["/raids.html"] = Route(PAGE.format(hour="nine").encode())
    del page_server.routes["/old.html"]
    assert cli.main(["corpus", "refresh", "--corpus", str(folder)]) == 1
    captured = capsys.readouterr()
    assert captured.err == "quotebot: not refreshed: old.md: the server answered 404 Not Found\n"
    assert captured.out.startswith(
        f"Refreshed 3 linked documents (1 changed, 1 unchanged) in {folder}: 3 documents, 3 passages."
    )
    assert "nine in the evening" in (folder / "raids.md").read_text()
    assert "six in the evening" in (folder / "old.md").read_text()  # kept as it was
    loot = [etag for path, etag in page_server.requests if path == "/loot.html"]
    assert loot[0] is None and loot[1] == page_server.routes["/loot.html"].etag


def test_a_corpus_without_link_documents_has_nothing_to_refresh(clean_env: Path, capsys):
    folder = clean_env / "community"
    folder.mkdir()
    (folder / "rules.md").write_text("# Rules\n\nBe kind.\n")
    assert cli.main(["corpus", "refresh", "--corpus", str(folder)]) == 0
    assert capsys.readouterr().err == f"quotebot: no documents in {folder} were added by link; nothing to refresh\n"
