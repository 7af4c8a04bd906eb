"""`book check`: fixture manuscripts per check (input + expected findings as
data files), the sample's findings, JSON output, --strict, silencing codes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from book.errors import Location, Reporter
from book.lint import lint
from book.lint.duplicates import find_repeats
from book.lint.markup import unmatched_html_blocks
from book.model import Block
from book.read.parse import parse_source
from book.read.sources import SourceFile
from tests.helpers import FIXTURES, REPO, SAMPLE, run_cli

LINT = FIXTURES / "lint"
SAMPLE_NAME = "seeds/000_2b4917eb708bd915.txt"


def blocks_of(path: Path) -> list[Block]:
    source = SourceFile(path, path.name, path.read_text(encoding="utf-8"))
    return parse_source(source, reporter=Reporter(quiet=True)).blocks


def expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("name", sorted(p.stem for p in LINT.glob("*.md")))
def test_fixture_findings(name):
    path = LINT / f"{name}.md"
    # With the source text, columns count the Markdown as written.
    found = lint(blocks_of(path), {"sources": {path.name: path.read_text(encoding="utf-8")}})
    got = [f"{f.location.line}:{f.location.col} {f.code}" for f in found]
    assert got == expected(LINT / f"{name}.expected")


def test_fixture_via_cli_is_compiler_style():
    result = run_cli("check", str(LINT / "duplicates.md"))
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first == ("duplicates.md:15:1: warning[W101] paragraph nearly repeats line 5, "
                     "differing only in spaces or punctuation width "
                     "(removed in builds; set clean.dedupe = false to keep)")
    assert "5 finding(s): 0 error(s), 5 warning(s)" in result.stderr


def sample_findings(*args: str) -> tuple[int, list[str]]:
    result = run_cli("check", str(REPO), *args)
    return result.exit_code, result.stdout.splitlines()


def test_sample_findings():
    code, lines = sample_findings()
    assert code == 0
    assert lines == [
        f"{SAMPLE_NAME}:49:1: warning[W102] 3 consecutive paragraphs repeat earlier ones: "
        "lines 49, 51, 53 repeat lines 41, 43, 45 "
        "(removed in builds; set clean.dedupe = false to keep)",
        f"{SAMPLE_NAME}:93:72: warning[W202] '“' has no matching '”' "
        "(add the missing '”' or delete this one)",
        f"{SAMPLE_NAME}:99:1: warning[W111] heading '创新引领 行业首单频现' repeats the heading "
        "at line 97 (merged in builds; set clean.merge_headings = false to keep both)",
        f"{SAMPLE_NAME}:103:1: warning[W102] 3 consecutive paragraphs repeat earlier ones: "
        "lines 103, 105, 107 repeat lines 95, 93, 95 "
        "(removed in builds; set clean.dedupe = false to keep)",
        f"{SAMPLE_NAME}:123:1: warning[W121] stray escaped markup '<p' "
        "(removed in builds; set clean.stray_markup = false to keep)",
    ]


def test_sample_repeats_are_the_lines_an_editor_looks_for():
    blocks = blocks_of(SAMPLE)
    pairs = [(blocks[r.index].loc.line, blocks[r.original].loc.line)
             for run in find_repeats(blocks) for r in run]
    assert pairs == [(49, 41), (51, 43), (53, 45), (103, 95), (105, 93), (107, 95)]
    # the second byline (line 83) repeats line 61 and is not a duplicate
    assert 83 not in [line for line, _ in pairs]


def test_json_schema():
    result = run_cli("check", str(REPO), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"version", "findings", "summary"}
    assert data["version"] == 1
    assert data["summary"] == {"errors": 0, "warnings": 5, "info": 0, "total": 5,
                               "by_code": {"W102": 2, "W202": 1, "W111": 1, "W121": 1}}
    keys = {"code": str, "severity": str, "message": str, "hint": str, "path": str,
            "line": int, "col": int, "check": str, "related": list}
    for item in data["findings"]:
        assert {k: type(item[k]) for k in keys} == keys
        assert item["severity"] in ("error", "warning", "info")
        for rel in item["related"]:
            assert set(rel) == {"path", "line", "role"}
            assert rel["role"] in ("repeat", "original")
    block = data["findings"][0]
    assert (block["code"], block["line"], block["check"]) == ("W102", 49, "duplicates")
    assert [r["line"] for r in block["related"] if r["role"] == "repeat"] == [49, 51, 53]


def test_strict_turns_warnings_into_errors():
    code, lines = sample_findings("--strict")
    assert code == 1
    assert all("error[" in line for line in lines)
    assert run_cli("check", str(LINT / "numbers.md")).exit_code == 0
    assert run_cli("check", "--strict", str(LINT / "numbers.md")).exit_code == 1


def test_no_findings_exit_zero_even_strict(tmp_path):
    (tmp_path / "book.md").write_text("# 书名\n\n## 第一章\n\n干净的正文。\n", encoding="utf-8")
    result = run_cli("check", "--strict", str(tmp_path / "book.md"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no findings" in result.stderr


def copy_sample(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "seeds").mkdir(parents=True)
    shutil.copy(SAMPLE, tmp_path / "seeds" / SAMPLE.name)
    toml = (REPO / "book.toml").read_text(encoding="utf-8")
    (tmp_path / "book.toml").write_text(toml + "\n" + extra, encoding="utf-8")
    return tmp_path


def test_silenced_codes(tmp_path):
    project = copy_sample(tmp_path, '[check]\nignore = ["W202", "W102"]\n')
    result = run_cli("check", "--strict", str(project))
    codes = {line.split("[")[1].split("]")[0] for line in result.stdout.splitlines()}
    assert codes == {"W111", "W121"}
    assert result.exit_code == 1  # the rest are still errors under --strict
    project2 = copy_sample(tmp_path / "all", '[check]\nignore = ["W202", "W102", "W111", "W121"]\n')
    assert run_cli("check", "--strict", str(project2)).exit_code == 0


def test_findings_sorted_by_file_and_line(tmp_path):
    (tmp_path / "b.md").write_text("## 二\n\n天津,北京。\n", encoding="utf-8")
    (tmp_path / "a.md").write_text("# 一\n\n正文。\n\n#### 跳级\n\n上海,广州。\n", encoding="utf-8")
    result = run_cli("check", str(tmp_path))
    places = [tuple(line.split(":")[:2]) for line in result.stdout.splitlines()]
    assert places == sorted(places, key=lambda p: (p[0], int(p[1])))
    assert places[0][0] == "a.md" and places[-1][0] == "b.md"


def test_unmatched_raw_html_across_blocks():
    def html(line: int, text: str) -> Block:
        return Block(kind="html", html=text, text=text, loc=Location("x.md", line, 1))
    blocks = [html(1, '<div class="box">'), html(3, "</div>"), html(5, "</div>"),
              html(7, "<section>")]
    assert unmatched_html_blocks(blocks) == [(2, "</div>"), (3, "<section>")]


def test_hints_follow_clean_switches(tmp_path):
    project = copy_sample(tmp_path, "[clean]\ndedupe = false\n")
    lines = run_cli("check", str(project)).stdout.splitlines()
    assert lines[0].endswith("(kept in builds, as clean.dedupe = false; delete the repeat)")
    assert lines[-1].endswith("(removed in builds; set clean.stray_markup = false to keep)")


def test_unknown_clean_switch_is_named(tmp_path):
    project = copy_sample(tmp_path, "[clean]\ndedup = false\n")
    result = run_cli("check", str(project))
    assert ("book.toml: warning[C001] unknown clean-up switch 'clean.dedup' "
            "(did you mean 'clean.dedupe'?)") in result.stdout.splitlines()


def test_repeat_in_another_file_names_the_file(tmp_path):
    para = "科技创新是新型工业化的核心要素，产业创新则为新型工业化提供支撑平台。"
    (tmp_path / "a.md").write_text(f"# 一\n\n{para}\n", encoding="utf-8")
    (tmp_path / "b.md").write_text(f"# 二\n\n{para}\n", encoding="utf-8")
    lines = run_cli("check", str(tmp_path)).stdout.splitlines()
    assert lines[1:] == ["b.md:3:1: warning[W101] paragraph repeats line a.md:3 "
                         "(removed in builds; set clean.dedupe = false to keep)"]
    assert lines[0].startswith("b.md:1:1: warning[W112] section '二' only repeats earlier text")


def test_columns_count_the_markdown_source(tmp_path):
    text = ("# 书\n\n## 章\n\n见[官网](https://x.org/a,b)和**粗体**,然后。\n\n"
            "| 列一 | 列二 |\n|---|---|\n| 甲 | 乙,丙 |\n")
    (tmp_path / "t.md").write_text(text, encoding="utf-8")
    lines = text.split("\n")
    want = [f"t.md:5:{lines[4].index('**,') + 3}: warning[W201]",
            f"t.md:9:{lines[8].index('乙,') + 2}: warning[W201]"]
    got = run_cli("check", str(tmp_path / "t.md")).stdout.splitlines()
    assert [line.split(" half")[0] for line in got] == want


# Characters that stress the Han signature: unified ideographs, compatibility
# ideographs, Kangxi radicals, enclosed ideographs, full-width forms, spaces.
_SIGNATURE_ALPHABET = "天津港一二丁\uf900\uf91f\u2f00\u2f08\u3220\u3280\u337f＋ＡＢ１，。“”…—　 aA1.,"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=_SIGNATURE_ALPHABET, max_size=30))
def test_han_signature_is_the_han_of_the_dedupe_key(text):
    # What lets find_repeats skip keying blocks with a unique signature:
    # equal keys imply equal signatures.
    from book.lint.text import _NOT_UNIFIED_HAN_RE, dedupe_key, han_signature

    assert han_signature(text) == _NOT_UNIFIED_HAN_RE.sub("", dedupe_key(text))


def test_repeats_written_with_compatibility_ideographs_are_found():
    loc = Location("a.md", 1)
    original = "第㈠条：天津港口物流发展迅速，中欧班列开行数量创新高。"
    blocks = [Block("paragraph", "", original, loc),
              Block("paragraph", "", "另一段完全不同的文字，讲的是别的事情。", loc),
              Block("paragraph", "", original.replace("㈠", "(一)"), loc)]
    runs = find_repeats(blocks)
    assert [(r.index, r.original, r.exact) for run in runs for r in run] == [(2, 0, False)]
