"""The one repeat finder, used by ``book check`` (to report) and by the
clean-up (to remove): repeated paragraphs, repeated blocks of paragraphs,
a heading that repeats the heading directly above it, and sections whose
whole body repeats earlier text.

Input is the flat list of parsed blocks; output is index-based records, so the
caller decides whether to report or to drop.
"""
from __future__ import annotations

import collections
import dataclasses

from book.lint.findings import Finding, finding
from book.lint.semantic import semantic_kind
from book.lint.text import dedupe_key, exact_key, han_signature
from book.model import Block

# Kinds whose repeats are extraction damage. Code, tables and lists may
# legitimately repeat (the same command shown twice), so they are left alone.
CANDIDATE_KINDS = ("paragraph", "quote")
# Shorter texts ("记者 胡萌伟", "（完）", a one-word caption) legitimately recur.
MIN_KEY_CHARS = 12

DEDUPE_HINT = "removed in builds; set clean.dedupe = false to keep"
DEDUPE_KEPT = "kept in builds, as clean.dedupe = false; delete the repeat"
HEADING_HINT = "merged in builds; set clean.merge_headings = false to keep both"
HEADING_KEPT = "kept in builds, as clean.merge_headings = false; delete the repeat"


@dataclasses.dataclass(frozen=True)
class Repeat:
    """Block ``index`` repeats block ``original`` (both indexes into blocks)."""

    index: int
    original: int
    exact: bool


def is_candidate(block: Block) -> bool:
    """Could this block be a duplicate paragraph? Not bylines, captions,
    datelines or short lines: those recur legitimately."""
    if block.kind not in CANDIDATE_KINDS or semantic_kind(block.text):
        return False
    return len(dedupe_key(block.text)) >= MIN_KEY_CHARS


def find_repeats(blocks: list[Block]) -> list[list[Repeat]]:
    """Repeated paragraphs, grouped into runs of adjacent repeated blocks.

    A block repeats the first earlier candidate with the same key; each run
    is a list of ``Repeat`` in block order (a run of one is a single repeat).
    """
    first_by_key: dict[str, int] = {}
    runs: list[list[Repeat]] = []
    # A block whose Han signature no other block shares repeats nothing and
    # is repeated by nothing: its key (the costly part) is never needed.
    signatures = [han_signature(b.text) if b.kind in CANDIDATE_KINDS else "" for b in blocks]
    shared = collections.Counter(signatures)
    for i, block in enumerate(blocks):
        if (signatures[i] and shared[signatures[i]] == 1) or not is_candidate(block):
            continue
        key = dedupe_key(block.text)
        if key not in first_by_key:
            first_by_key[key] = i
            continue
        original = first_by_key[key]
        exact = exact_key(blocks[original].text) == exact_key(block.text)
        repeat = Repeat(i, original, exact)
        if runs and runs[-1][-1].index == i - 1:
            runs[-1].append(repeat)
        else:
            runs.append([repeat])
    return runs


def repeated_headings(blocks: list[Block]) -> list[Repeat]:
    """Headings whose title repeats the heading directly above them."""
    found = []
    for i in range(1, len(blocks)):
        above, block = blocks[i - 1], blocks[i]
        if (above.kind == block.kind == "heading" and block.level >= above.level
                and dedupe_key(above.text) == dedupe_key(block.text)):
            found.append(Repeat(i, i - 1, exact_key(above.text) == exact_key(block.text)))
    return found


def repeated_sections(blocks: list[Block], removed: set[int]) -> list[tuple[int, list[int]]]:
    """Headings whose section body (up to the next heading) is non-empty and
    made only of blocks in ``removed``: ``(heading index, original indexes)``."""
    found = []
    for i, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        body = []
        for j in range(i + 1, len(blocks)):
            if blocks[j].kind == "heading":
                break
            body.append(j)
        if body and all(j in removed for j in body):
            found.append((i, body))
    return found


def _line(block: Block) -> int:
    return block.loc.line


def _ref(block: Block, here: Block) -> str:
    """``block``'s line as seen from ``here``: "45", or "a.md:45" in another file."""
    same = block.loc.path == here.loc.path
    return str(block.loc.line) if same else f"{block.loc.path}:{block.loc.line}"


def _related(pairs: list[tuple[Block, str]]) -> tuple[tuple[str, int, str], ...]:
    return tuple((b.loc.path, b.loc.line, role) for b, role in pairs)


def switched_on(options: dict, name: str) -> bool:
    """Is the clean-up transform ``name`` on? (The hint says what builds do.)"""
    return bool(options.get("clean", {}).get(name, True))


def run_finding(run: list[Repeat], blocks: list[Block], hint: str = DEDUPE_HINT) -> Finding:
    """One finding for a run: W101 for a single paragraph, W102 for a block."""
    first = blocks[run[0].index]
    related = _related([pair for r in run for pair in (
        (blocks[r.index], "repeat"), (blocks[r.original], "original"))])
    how = "" if all(r.exact for r in run) else ", differing only in spaces or punctuation width"
    if len(run) == 1:
        original = blocks[run[0].original]
        verb = "repeats" if run[0].exact else "nearly repeats"
        return finding("W101", f"paragraph {verb} line {_ref(original, first)}{how}",
                       first.loc, hint, related)
    lines = ", ".join(str(_line(blocks[r.index])) for r in run)
    originals = ", ".join(_ref(blocks[r.original], first) for r in run)
    return finding("W102", f"{len(run)} consecutive paragraphs repeat earlier ones: "
                   f"lines {lines} repeat lines {originals}{how}",
                   first.loc, hint, related)


def heading_finding(repeat: Repeat, blocks: list[Block], hint: str = HEADING_HINT) -> Finding:
    """W111 for a heading that repeats the one directly above it."""
    block, above = blocks[repeat.index], blocks[repeat.original]
    return finding("W111", f"heading '{block.text}' repeats the heading at line "
                   f"{_ref(above, block)}", block.loc, hint,
                   _related([(block, "repeat"), (above, "original")]))


def section_finding(heading: int, body: list[int], blocks: list[Block]) -> Finding:
    """W112 for a heading whose whole section repeats earlier text."""
    block = blocks[heading]
    lines = ", ".join(str(_line(blocks[j])) for j in body)
    return finding("W112", f"section '{block.text}' only repeats earlier text: "
                   f"line{'s' if len(body) > 1 else ''} {lines}",
                   block.loc, "its paragraphs are removed in builds; delete the heading or "
                   "restore the section's own text",
                   _related([(blocks[j], "repeat") for j in body]))


def check(blocks: list[Block], options: dict) -> list[Finding]:
    """All repeat findings for ``book check``."""
    runs = find_repeats(blocks)
    hint = DEDUPE_HINT if switched_on(options, "dedupe") else DEDUPE_KEPT
    found = [run_finding(run, blocks, hint) for run in runs]
    headings = repeated_headings(blocks)
    hint = HEADING_HINT if switched_on(options, "merge_headings") else HEADING_KEPT
    found += [heading_finding(r, blocks, hint) for r in headings]
    removed = {r.index for run in runs for r in run}
    found += [section_finding(h, body, blocks) for h, body in repeated_sections(blocks, removed)
              if h not in {r.index for r in headings}]
    return found

