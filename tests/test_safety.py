"""Output safety (issue 6): atomic output (a failed build keeps the last good
EPUB/PDF and leaves no partial file), writes only into the output folder,
never modifies seeds/, byte-identical rebuilds, and no network during a build
of a manuscript full of remote references (EPUB and PDF)."""
from __future__ import annotations

import hashlib
import os
import socket
import sys
import zipfile
from pathlib import Path

import pytest

from book.build import write_atomic
from tests.helpers import REPO, run_book, run_cli
from tests.robust_support import assert_clean, build, epubcheck_many, write_project

SMALL = {"book.md": "# 安全\n\n正文第一段，含 Latin 与数字 2024。\n\n## 小节\n\n第二段。\n"}


def tree_hashes(root: Path) -> dict[str, str]:
    """Every file under ``root`` (following no links) → its SHA-256."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def test_failed_render_keeps_previous_output(tmp_path: Path, monkeypatch) -> None:
    write_project(tmp_path, SMALL)
    first = build(tmp_path)
    assert first.exit_code == 0, first.stderr
    before = first.epub.read_bytes()

    import book.render.epub

    def explode(ctx):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(book.render.epub, "render", explode)
    (tmp_path / "book.md").write_text("# 改过\n\n新内容。\n", encoding="utf-8")
    failed = build(tmp_path, "-j", "1")  # in this process, where the patch is
    assert failed.exit_code == 1
    assert failed.stderr.startswith("Error:") and failed.stderr.count("\n") == 1
    assert "renderer bug" in failed.stderr
    assert first.epub.read_bytes() == before
    assert not list((tmp_path / "dist").glob("*.part")) and \
        not list((tmp_path / "dist").glob(".*.part"))


def test_interrupted_write_keeps_previous_file(tmp_path: Path, monkeypatch) -> None:
    target = write_atomic(tmp_path, "book.epub", b"last good")

    class Interrupted(BaseException):
        pass

    def interrupt(src, dst):
        raise Interrupted()

    monkeypatch.setattr("book.build.os.replace", interrupt)
    with pytest.raises(Interrupted):
        write_atomic(tmp_path, "book.epub", b"half-written")
    assert target.read_bytes() == b"last good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub"]


def test_build_writes_only_into_the_output_folder(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", SMALL)
    (tmp_path / "neighbour.txt").write_text("untouched")
    out = tmp_path / "out"
    before = tree_hashes(tmp_path)
    result = run_cli("build", str(project), "-o", str(out), "-f", "epub")
    assert result.exit_code == 0, result.output
    after = tree_hashes(tmp_path)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed and all(k.startswith("out/") for k in changed), changed


def test_build_writes_nothing_in_the_home_or_cache_folders(tmp_path: Path) -> None:
    # Tool caches (compiled templates …) belong in the output's .cache too.
    home = tmp_path / "home"
    home.mkdir()
    project = write_project(tmp_path / "project", SMALL)
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    proc = run_book("build", str(project), "-o", str(tmp_path / "out"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert list(home.rglob("*")) == []
    assert (tmp_path / "out" / ".cache" / "jinja").is_dir()


def test_build_of_the_repository_never_modifies_seeds(tmp_path: Path) -> None:
    seeds = REPO / "seeds"
    before = tree_hashes(seeds)
    result = run_cli("build", str(REPO), "-o", str(tmp_path), "-f", "epub")
    assert result.exit_code == 0, result.output
    assert tree_hashes(seeds) == before


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", SMALL)
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        result = run_cli("build", str(project), "-o", str(out))
        assert result.exit_code == 0, result.output
        outputs.append({p.name: p.read_bytes() for p in out.iterdir() if p.suffix in
                        (".epub", ".pdf")})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) >= 2
    assert outputs[0] == outputs[1]


# --- no network ------------------------------------------------------------

REMOTE = """# 远程引用

![markdown image](https://example.com/a.png)
![protocol relative](//example.com/b.png)

<img src="http://example.com/c.png" srcset="http://example.com/c2.png 2x" alt="raw">
<link rel="stylesheet" href="http://example.com/x.css">
<style>@import url("http://example.com/y.css"); @font-face { font-family: F;
src: url(https://fonts.example.com/f.woff2); } p { background: url(http://example.com/bg.png) }</style>
<p style="background-image: url('http://example.com/bg2.png')">styled</p>
<video src="http://example.com/v.mp4" poster="http://example.com/p.png"></video>
<audio src="http://example.com/a.mp3"></audio>
<object data="http://example.com/o.swf"></object>
<iframe src="http://example.com/frame"></iframe>
<svg><image href="http://example.com/s.png"/></svg>
<base href="http://example.com/">
<meta http-equiv="refresh" content="0;url=http://example.com/">
<table background="http://example.com/t.png"><tr><td>cell</td></tr></table>

A [web link](https://example.com/page) stays a link; it is never fetched.
"""

PROJECT_CSS = """@import url("http://example.com/remote.css");
@font-face { font-family: "Remote"; src: url("https://fonts.example.com/r.woff2"); }
body { background: url(http://example.com/body.png); }
"""


@pytest.fixture
def no_network(monkeypatch):
    """Record (and stop) every connection or name lookup made meanwhile."""
    attempts: list[str] = []
    active = [True]

    def hook(event: str, args) -> None:
        if active[0] and event in ("socket.connect", "socket.getaddrinfo",
                                   "socket.gethostbyname", "urllib.Request"):
            attempts.append(f"{event} {args!r}")
            raise ConnectionRefusedError(f"test: no network ({event})")

    sys.addaudithook(hook)  # hooks cannot be removed: ``active`` turns it off

    def refuse(self, *args, **kwargs):
        attempts.append(f"socket.connect {args!r}")
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    active[0] = False


def test_remote_references_never_touch_the_network(tmp_path: Path, no_network) -> None:
    project = write_project(tmp_path, {
        "book.md": REMOTE, "styles/project.css": PROJECT_CSS,
        "book.toml": 'title = "远程"\n[editions.ebook]\nformats = ["epub"]\n'
                     'styles = ["styles/project.css"]\n'
                     '[editions.print]\nformats = ["pdf"]\nstyles = ["styles/project.css"]\n'})
    # -j 1: render in this process, where the guard is installed.
    result = build(project, "-j", "1", fmt="")
    assert result.exit_code == 0, result.stderr
    assert no_network == [], no_network
    assert {"M001", "H001", "H002"} <= result.codes()
    epub = result.epub
    assert (project / "dist").glob("*.pdf")
    report = epubcheck_many([epub])[epub]
    assert_clean(report)
    with zipfile.ZipFile(epub) as zf:
        for name in zf.namelist():
            if name.endswith((".xhtml", ".css")):
                content = zf.read(name).decode("utf-8")
                for bad in ("example.com/a.png", "example.com/c.png", "c2.png", "x.css",
                            "y.css", "bg.png", "bg2.png", "v.mp4", "a.mp3", "o.swf", "frame",
                            "s.png", "<base", "refresh", "t.png", "remote.css",
                            "r.woff2", "body.png"):
                    assert bad not in content, (name, bad)
                assert "https://example.com/page" in content or name.endswith(".css") \
                    or "web link" not in content


def test_network_guard_catches_a_connection(no_network) -> None:
    """The guard above is not vacuous: a lookup or connection is recorded."""
    with pytest.raises(OSError):
        socket.create_connection(("example.com", 80), timeout=1)
    assert no_network


@pytest.mark.parametrize("url", ["http://example.com/x.png", "https://example.com/f.woff2",
                                 "ftp://example.com/x", "file:///etc/passwd"])
def test_pdf_fetcher_refuses_everything_outside_the_project(tmp_path: Path, url: str,
                                                            no_network) -> None:
    from book.render.pdf.document import project_fetcher

    fetcher = project_fetcher(tmp_path)
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert no_network == []


@pytest.mark.parametrize("toml", [
    'slug = "../../escaped"\n',
    '[editions."../../escaped"]\nformats = ["epub"]\n',
])
def test_names_cannot_write_outside_the_output_folder(tmp_path: Path, toml: str) -> None:
    project = write_project(tmp_path / "deep" / "project", {**SMALL, "book.toml": toml})
    before = tree_hashes(tmp_path)
    result = build(project)
    assert result.exit_code == 1 and "is not a plain file name" in result.stderr
    assert result.stderr.count("\n") == 1
    after = tree_hashes(tmp_path)
    assert all(k.startswith("deep/project/dist/.cache/") for k in set(after) - set(before))


def test_planted_cache_entries_never_run_code(tmp_path: Path) -> None:
    """dist/.cache can come with someone else's repository: a pickle that
    would run code on loading is refused (read as a miss)."""
    import pickle

    project = write_project(tmp_path / "p", SMALL)
    first = build(project)
    assert first.exit_code == 0, first.stderr
    expected = first.epub.read_bytes()
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (exec, (f"open({str(marker)!r}, 'w').write('x')",))

    entries = list((project / "dist" / ".cache").rglob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(pickle.dumps((Payload(), [])))
    second = build(project)
    assert second.exit_code == 0, second.stderr
    assert not marker.exists()
    assert second.epub.read_bytes() == expected


def test_dist_linked_outside_the_project_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = write_project(tmp_path / "p", SMALL)
    (project / "dist").symlink_to(elsewhere)
    result = run_cli("build", str(project), "-f", "epub")
    assert result.exit_code == 2 and "outside the project" in result.stderr
    assert not list(elsewhere.iterdir())
