"""Deterministic Chinese manuscripts of a given page count for benchmarks.

Text mixes Han, Latin words, digits and full-width punctuation (including the
adjacent pairs that punctuation compression works on), with ``##`` chapters
and ``###`` sections. About 505 Han characters make one A5 page (101 k for 200 pages, the
size the issue measured Pandoc on).
"""
from __future__ import annotations

import random
import re
from pathlib import Path

CHARS_PER_PAGE = 505
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
HAN = ("天津发展新质生产力创新驱动产业升级科技成果转化平台建设企业研发投入"
       "港口物流中欧班列改革开放先行区实验室人工智能生物制造材料能源城市")
LATIN = ["AI", "Python", "GDP", "5G", "CPU", "iPhone", "Linux", "HTTP", "EPUB", "PDF"]
MARKS = ["，", "。", "、", "；", "：", "——", "……"]


def sentence(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        clause = "".join(rng.choice(HAN) for _ in range(rng.randint(4, 14)))
        roll = rng.random()
        if roll < 0.2:
            clause += rng.choice(LATIN)
        elif roll < 0.35:
            clause += f"{rng.randint(2, 2025)}年"
        elif roll < 0.45:
            clause = f"“{clause}”"
        elif roll < 0.5:
            clause = f"（{clause}）"
        parts.append(clause)
    text = "，".join(parts)
    return text + rng.choice(["。", "。", "！", "？", "。”"]).lstrip("”") + \
        ("”，" if rng.random() < 0.05 else "")


def manuscript(pages: int, seed: int = 1) -> str:
    """Markdown for about ``pages`` A5 pages."""
    rng = random.Random(seed)
    out = [f"# Benchmark {pages} pages\n"]
    han = 0
    chapter = 0
    while han < pages * CHARS_PER_PAGE:
        if han >= chapter * 20 * CHARS_PER_PAGE:
            chapter += 1
            out.append(f"## 第{chapter}章 {''.join(rng.choice(HAN) for _ in range(6))}\n")
        if rng.random() < 0.15:
            out.append(f"### {''.join(rng.choice(HAN) for _ in range(8))}\n")
        para = "".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        han += len(HAN_RE.findall(para))
        out.append(para + "\n")
    return "\n".join(out)


def write_manuscript(folder: Path, pages: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{pages}.md"
    path.write_text(manuscript(pages), encoding="utf-8")
    return path
