"""CLI: the command forms other tools rely on, exit codes, one-line errors."""
import shutil
from pathlib import Path


from book import __version__
from tests.helpers import FIXTURES, REPO, run_book, run_cli


def one_line_error(proc, code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.startswith("Error")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_version_and_help():
    assert __version__ in run_cli("--version").output
    out = run_cli("build", "--help").output
    for flag in ("--edition", "--format", "--out"):
        assert flag in out


def test_no_such_path_exits_2(tmp_path):
    line = one_line_error(run_book("build", str(tmp_path / "nope")), 2)
    assert "no such file or folder" in line and "nope" in line


def test_unknown_edition_lists_valid_ones():
    line = one_line_error(run_book("build", str(REPO), "-e", "pocket"), 2)
    assert "pocket" in line and "ebook" in line and "booklet" in line


def test_unknown_format_is_a_usage_error():
    proc = run_book("build", str(REPO), "-f", "mobi")
    assert proc.returncode == 2 and "mobi" in proc.stderr and "Traceback" not in proc.stderr


def test_toml_syntax_error_names_line_and_column(tmp_path):
    (tmp_path / "book.toml").write_text('title = "x"\nsources = [\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    line = one_line_error(run_book("build", str(tmp_path)), 2)
    assert "book.toml:3:" in line and "invalid TOML" in line


def test_wrong_type_names_the_key(tmp_path):
    (tmp_path / "book.toml").write_text('[editions.ebook]\nformats = ["epub"]\n'
                                        'styles = 3\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    line = one_line_error(run_book("build", str(tmp_path)), 2)
    assert "editions.ebook.styles" in line


def test_unknown_key_warns_with_suggestion(tmp_path):
    (tmp_path / "book.toml").write_text('titel = "x"\n[editions.ebook]\nformats = ["epub"]\n',
                                        encoding="utf-8")
    (tmp_path / "a.md").write_text("# A\n\ntext\n", encoding="utf-8")
    proc = run_book("build", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "unknown key 'titel'" in proc.stderr and "did you mean 'title'" in proc.stderr


def test_empty_folder_is_nothing_to_build(tmp_path):
    line = one_line_error(run_book("build", str(tmp_path)), 2)
    assert "nothing to build" in line


def test_folder_of_chinese_markdown_without_book_toml(tmp_path):
    src = tmp_path / "书稿"
    shutil.copytree(FIXTURES / "structure" / "multi", src)
    proc = run_book("build", str(src))
    assert proc.returncode == 0, proc.stderr
    outputs = [Path(p) for p in proc.stdout.split()]
    assert sorted(p.suffix for p in outputs) == [".epub", ".pdf"]
    assert all(p.parent == src / "dist" and p.stat().st_size > 0 for p in outputs)
    from tests.test_epub import NS, read
    epub = next(p for p in outputs if p.suffix == ".epub")
    opf = read(epub, "EPUB/content.opf")
    assert opf.find(".//dc:language", NS).text == "zh-Hans"
    assert opf.find(".//dc:title", NS).text == "合集"


def test_one_file_and_narrowing_by_format(tmp_path):
    src = tmp_path / "note.txt"
    src.write_text("## 标题\n\n正文，Python 3.11。\n", encoding="utf-8")
    proc = run_book("build", str(src), "-f", "epub", "-o", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [str(tmp_path / "out" / "note-ebook.epub")]


def test_edition_narrowing(tmp_path):
    proc = run_book("-q", "build", str(REPO), "-e", "ebook", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert [Path(p).name for p in proc.stdout.split()] == ["tianjin-ebook.epub"]


def test_missing_font_is_a_clear_error(monkeypatch, tmp_path):
    from book.render import fonts

    monkeypatch.setattr(fonts, "find_face", lambda family, weight=400: None)
    result = run_cli("build", str(FIXTURES / "structure" / "front_text.md"), "-f", "pdf",
                     "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "Noto Serif CJK SC" in result.output and "fonts-noto-cjk" in result.output
    assert not list(tmp_path.glob("*.pdf"))


def test_editions_lists_settings_and_stylesheets():
    result = run_cli("editions", str(REPO))
    assert result.exit_code == 0
    assert "ebook: epub" in result.output and "booklet: pdf" in result.output
    assert "stylesheet:" in result.output
