"""Broken ``book.toml`` (issue 6): each mistake is one line naming the file,
the problem and the fix — syntax errors with line and column, unknown keys
with the nearest valid key, wrong types, unknown editions and formats listing
the valid ones, missing stylesheets and fonts named. Never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_book
from tests.robust_support import build, write_project

MANUSCRIPT = {"book.md": "# 标题\n\n正文。\n"}

# (book.toml, exit code, substrings of the error or warning line)
CASES = {
    "syntax-error": ('title = "unterminated\n', 2,
                     ["book.toml:1:", "invalid TOML", "toml.io"]),
    "syntax-error-line-3": ('title = "t"\n\n[editions.e\nformats = ["epub"]\n', 2,
                            ["book.toml:3:", "invalid TOML"]),
    "duplicate-key": ('title = "a"\ntitle = "b"\n', 2, ["book.toml:2:", "invalid TOML"]),
    "unknown-key": ('titel = "t"\n', 0,
                    ["book.toml:1:1: warning[C001]", "unknown key 'titel'", "did you mean 'title'?"]),
    "unknown-edition-key": ('[editions.e]\nformats = ["epub"]\npagesize = "A5"\n', 0,
                            ["book.toml:3:1: warning[C001]",
                             "did you mean 'editions.e.page_size'?"]),
    "wrong-type": ("title = 3\n", 2, ["book.toml:1:1:", "'title' must be a string, not int"]),
    "wrong-edition-type": ('[editions.e]\nformats = ["epub"]\ncrop_marks = "yes"\n', 2,
                           ["'editions.e.crop_marks' must be true/false"]),
    "unknown-format": ('[editions.e]\nformats = ["mobi"]\n', 2,
                       ["unknown format 'mobi'", "valid formats: epub, pdf"]),
    "unknown-parent-edition": ('[editions.e]\nextends = "ghost"\nformats = ["epub"]\n', 2,
                               ["unknown edition 'ghost'", "valid editions: e"]),
    "edition-cycle": ('[editions.a]\nextends = "b"\n[editions.b]\nextends = "a"\n', 2,
                      ["cycle"]),
    "bad-page-size": ('[editions.e]\nformats = ["pdf"]\npage_size = "Z9"\n', 2,
                      ["page_size = 'Z9' is not a page size", "A5"]),
    "missing-stylesheet": ('[editions.e]\nformats = ["epub"]\nstyles = ["nope.css"]\n', 2,
                           ["nope.css"]),
    "missing-font": ('[editions.e]\nformats = ["epub"]\nfonts = {body = "No Such Font"}\n', 0,
                     ["warning[F001]", "editions.e.fonts.body"]),
    "sources-match-nothing": ('sources = ["nothing*.md"]\n', 2,
                              ["'nothing*.md' matches no file", "sources"]),
    "not-utf8": ("title = '\xff'\n".encode("latin-1"), 2, ["not UTF-8", "save book.toml as UTF-8"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_config_problem(tmp_path: Path, name: str) -> None:
    toml, exit_code, parts = CASES[name]
    files = {**MANUSCRIPT, "book.toml": toml}
    write_project(tmp_path, files)
    result = build(tmp_path)
    assert result.exit_code == exit_code, result.stderr
    lines = [line for line in result.stderr.splitlines()
             if (line.startswith("Error:") if exit_code else "warning[" in line)]
    assert lines, result.stderr
    line = lines[0]
    for part in parts:
        assert part in line, result.stderr
    if exit_code:
        assert len(lines) == 1 and not result.epubs


def test_unknown_edition_on_the_command_line(tmp_path: Path) -> None:
    write_project(tmp_path, MANUSCRIPT)
    result = build(tmp_path, "-e", "nope")
    assert result.exit_code == 2
    assert "unknown edition 'nope'" in result.stderr and "valid editions:" in result.stderr


def test_unknown_format_on_the_command_line(tmp_path: Path) -> None:
    write_project(tmp_path, MANUSCRIPT)
    proc = run_book("build", str(tmp_path), "-f", "mobi")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "'mobi' is not one of 'epub', 'pdf'" in proc.stderr


def test_toml_error_as_a_real_process(tmp_path: Path) -> None:
    write_project(tmp_path, {**MANUSCRIPT, "book.toml": "[editions\n"})
    proc = run_book("build", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "book.toml:1:" in proc.stderr


@pytest.mark.parametrize("toml, message", [
    ('sources = ["../outside/*.md"]\n', "is outside the project folder"),
    ('[editions.e]\nformats = ["epub"]\nstyles = ["../outside/evil.css"]\n',
     "editions.e.styles: '../outside/evil.css' is outside the project folder"),
    ('[editions.e]\nformats = ["epub"]\nstyles = ["link.css"]\n',
     "editions.e.styles: 'link.css' is outside the project folder"),
])
def test_project_files_only(tmp_path: Path, toml: str, message: str) -> None:
    """A hostile book.toml cannot pull files from outside the project into a book."""
    outside = write_project(tmp_path / "outside", {"secret.md": "# 机密\n\n密码\n",
                                                   "evil.css": "body { color: red }\n"})
    project = write_project(tmp_path / "book", {**MANUSCRIPT, "book.toml": toml})
    (project / "link.css").symlink_to(outside / "evil.css")
    result = build(project)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and not result.epubs


def test_symlinked_manuscript_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = write_project(tmp_path / "outside", {"secret.md": "# 机密\n\n密码\n"})
    project = write_project(tmp_path / "book", MANUSCRIPT)
    (project / "secret.md").symlink_to(outside / "secret.md")
    result = build(project)
    assert result.exit_code == 2 and "is outside the project folder" in result.stderr
    assert not result.epubs
