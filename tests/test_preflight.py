"""The PDF preflight: each finding provoked on a small PDF made for it, the
plain-WeasyPrint baseline caught ragged, and ``book check --pdf``."""
from __future__ import annotations

import io
import json
from pathlib import Path

from book.preflight import Frame, preflight
from book.typeset import Settings, installed
from tests.helpers import REPO, run_cli

FRAME = Frame((20.0, 280.0), (20.0, 280.0))  # 26 characters of 10 pt
STYLE = ("<style>@page { size: 300pt 400pt; margin: 20pt } body { margin: 0 }"
         "p { font: 10pt/1.75 'Noto Serif CJK SC'; text-align: justify; margin: 0;"
         " text-indent: 2em } h2 { font: bold 16pt 'Noto Sans CJK SC'; margin: 0 }</style>")
TEXT = "当新质生产力的浪潮奔涌而来，天津始终牢记殷殷嘱托，深刻把握时代发展趋势，以系统思维谋篇布局。"


def check(body: str, typeset: bool = True, frame: Frame = FRAME) -> dict[str, list[str]]:
    """Findings by code for the PDF of ``body``."""
    from weasyprint import HTML

    html = f'<html lang="zh-Hans">{STYLE}<body>{body}</body></html>'
    if typeset:
        with installed(Settings()):
            data = HTML(string=html).write_pdf()
    else:
        data = HTML(string=html).write_pdf()
    report = preflight(io.BytesIO(data), "t.pdf", frame)
    found: dict[str, list[str]] = {}
    for diag in report.diagnostics:
        found.setdefault(diag.code, []).append(str(diag))
    return found


def test_plain_weasyprint_is_caught_ragged_and_ours_is_not():
    body = f'<p style="width: 255pt">{TEXT * 3}</p>'  # 25.5 characters: never whole
    narrow = Frame((20.0, 275.0), (20.0, 275.0))
    plain = check(body, typeset=False, frame=narrow)
    assert len(plain.get("P301", [])) >= 3
    assert all(d.startswith("t.pdf:1: warning[P301]") for d in plain["P301"])
    assert "P301" not in check(body, frame=narrow)


def test_line_start_and_line_end_breaches():
    found = check("<p>天津始终牢记殷殷嘱托<br>，深刻把握时代“<br>发展趋势以系统思维</p>")
    messages = " ".join(found.get("P302", []))
    assert "starts with '，'" in messages
    assert "ends with '“'" in messages


def test_split_dash_and_ellipsis():
    found = check("<p>天津始终牢记殷殷—<br>—深刻把握时代…<br>…发展趋势以系统思维</p>")
    messages = " ".join(found.get("P302", []))
    assert "'——' split" in messages and "'……' split" in messages


def test_overflowing_line():
    found = check(f'<p style="white-space: nowrap">{TEXT}</p><p>{TEXT}</p>')
    assert any("overflows the type area" in d for d in found.get("P303", []))


def test_stranded_heading():
    filler = "".join(f"<p>{TEXT}</p>" for _ in range(4))
    found = check(f'{filler}<h2>第二节 标题</h2><p style="break-before: page">{TEXT}</p>')
    assert any("第二节" in d and d.startswith("t.pdf:1:") for d in found.get("P304", []))


def test_one_character_last_line():
    # 24 characters after a 2 em indent fill the line; the 25th sits alone.
    found = check("<p>" + "天津始终牢记殷殷嘱托深刻把握时代发展趋势系统" + "思维。</p>")
    assert any("'维。'" in d for d in found.get("P305", []))


def test_a_clean_page_has_no_findings():
    assert check("".join(f"<p>{TEXT}</p>" for _ in range(3))) == {}


def test_check_pdf_command(sample_build: Path):
    pdf = sample_build / "tianjin-booklet.pdf"
    result = run_cli("check", str(REPO), "--pdf", str(pdf))
    assert result.exit_code == 0, result.output
    assert "justified line(s), 0 ragged (0.0%), 0 kinsoku breach(es)" in result.stderr
    result = run_cli("check", str(REPO), "--pdf", str(pdf), "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert all(f["code"].startswith("P3") and f["path"].startswith("tianjin-booklet.pdf:")
               for f in findings)


def test_check_pdf_strict_fails_on_findings(tmp_path: Path):
    from weasyprint import HTML

    pdf = tmp_path / "ragged.pdf"
    paragraphs = [line for line in REPO.joinpath("seeds").glob("*.txt").__next__()
                  .read_text(encoding="utf-8").splitlines() if len(line) > 80][:6]
    # No project here: the frame is inferred from the lines themselves.
    HTML(string=f'<html lang="zh-Hans">{STYLE}<body>'
                + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>").write_pdf(pdf)
    result = run_cli("check", str(tmp_path), "--pdf", str(pdf), "--strict")
    assert result.exit_code == 1
    assert "error[P301]" in result.stdout


def test_check_pdf_refuses_a_file_that_is_not_a_pdf(tmp_path: Path):
    bogus = tmp_path / "x.pdf"
    bogus.write_text("not a pdf")
    result = run_cli("check", str(tmp_path), "--pdf", str(bogus))
    assert result.exit_code == 1
    assert "cannot read the PDF" in result.output
