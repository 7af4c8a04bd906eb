"""``book new DIR``: a project that builds as it is, and never overwrites."""
from __future__ import annotations

import tomllib

from book.project.stylesheets import package_styles_dir
from tests.helpers import assert_epubcheck_clean, run_cli


def test_new_project_has_the_promised_files(tmp_path):
    target = tmp_path / "mybook"
    result = run_cli("new", str(target), "--title", '我的"书"')
    assert result.exit_code == 0, result.output
    config = tomllib.loads((target / "book.toml").read_text(encoding="utf-8"))
    assert config["title"] == '我的"书"'
    assert set(config["editions"]) == {"ebook", "print"}
    assert (target / "chapters/01-start.md").is_file()
    assert (target / "styles/variables.css").read_text(encoding="utf-8") == \
        (package_styles_dir() / "variables.css").read_text(encoding="utf-8")
    assert (target / ".gitignore").read_text() == "dist/\n"


def test_new_project_builds_both_editions(tmp_path):
    target = tmp_path / "mybook"
    assert run_cli("new", str(target)).exit_code == 0
    result = run_cli("build", str(target), "-j", "1")
    assert result.exit_code == 0, result.output
    epub, pdf = target / "dist/mybook-ebook.epub", target / "dist/mybook-print.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert_epubcheck_clean(epub)
    listing = run_cli("editions", str(target)).output
    assert "pdf stylesheet: styles/variables.css" in listing
    assert "pdf stylesheet: styles/editions/print.css" in listing


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "keep.md").write_text("mine")
    result = run_cli("new", str(tmp_path))
    assert result.exit_code == 2
    assert "not empty" in result.output and "\n" not in result.output.strip()
    assert (tmp_path / "keep.md").read_text() == "mine"
