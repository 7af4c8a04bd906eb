"""The WeasyPrint extension: Chinese justification, punctuation compression
and Han–Latin spacing, installed only for the duration of one render.

Four functions of WeasyPrint 70 are wrapped (checked by ``check_weasyprint``):

- ``split_first_line`` (as the inline layout calls it): Pango's break is
  reconsidered by ``book.typeset.linebreak`` (loose lines, lone last chars).
- ``Layout.set_text`` adds OpenType ``halt`` (half-width) on the byte ranges of
  the marks the punctuation style compresses. Pango shapes with it in the line
  breaking pass *and* the drawing pass, so both measure the same widths.
- ``text_align`` (called once per laid-out line) adds the Han–Latin space and,
  on a justified line, spreads the slack over every inter-character gap
  (``book.typeset.plan``); an overfull line first trims a line-end mark to
  half width, then tightens. Widths and positions of the boxes are updated.
- ``Layout.get_first_line`` widens the glyphs of the drawn line by exactly the
  planned amounts (Pango glyph geometry): nothing is inserted in the text,
  so the PDF's text layer stays the manuscript's.
"""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
import math
from typing import Iterator

from book.errors import BuildError
from book.typeset import linebreak, plan, shaping
from book.typeset.chars import CLOSING, PUNCTUATION_STYLES, halted, marks

SUPPORTED = "70."  # WeasyPrint versions whose internals this module extends
# Most a word space or Han–Latin space may grow on a loose line, in em.
WIDE_CAP = 0.75


@dataclasses.dataclass(frozen=True)
class Settings:
    """An edition's typesetting choices."""

    punctuation: str = "quanjiao"
    autospace: float = 0.25  # em; 0 turns Han–Latin spacing off


_active: Settings | None = None
_originals: dict[str, object] = {}


def check_weasyprint() -> None:
    """Refuse to patch a WeasyPrint whose internals are not the ones we know."""
    import weasyprint
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    expected = {
        (inline, "text_align"): ["context", "line", "available_width", "last"],
        (inline, "split_first_line"): ["text", "style", "context", "max_width",
                                       "justification_spacing", "is_line_start", "minimum"],
        (line_break.Layout, "set_text"): ["self", "text", "justify"],
        (line_break.Layout, "get_first_line"): ["self"],
    }
    problem = None
    if not weasyprint.__version__.startswith(SUPPORTED):
        problem = f"WeasyPrint {weasyprint.__version__} is installed"
    for (owner, name), params in expected.items():
        func = getattr(owner, name, None)
        if func is None or list(inspect.signature(func).parameters) != params:
            problem = f"weasyprint {owner.__name__}.{name} changed"
    if problem:
        raise BuildError(f"Chinese typesetting cannot run: {problem}",
                         hint=f"install WeasyPrint {SUPPORTED}x (pip install "
                              "'weasyprint>=70,<71')")


@contextlib.contextmanager
def installed(settings: Settings) -> Iterator[None]:
    """Patch WeasyPrint for one render (layout *and* drawing: keep
    ``write_pdf`` inside the block); restore it afterwards, even on error."""
    global _active
    if settings.punctuation not in PUNCTUATION_STYLES:
        raise BuildError(f"unknown punctuation style '{settings.punctuation}'",
                         hint="valid styles: " + ", ".join(PUNCTUATION_STYLES))
    check_weasyprint()
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    if _active is not None:
        raise BuildError("typesetting is already installed (nested render)")
    targets = {"split_first_line": (inline, _split_first_line),
               "set_text": (line_break.Layout, _set_text),
               "get_first_line": (line_break.Layout, _get_first_line),
               "text_align": (inline, _text_align)}
    for name, (owner, func) in targets.items():
        _originals[name] = getattr(owner, name)
        setattr(owner, name, func)
    _active = settings
    try:
        yield
    finally:
        for name, (owner, _) in targets.items():
            setattr(owner, name, _originals.pop(name))
        _active = None


# --- Pango side: halt attributes and glyph widening ------------------------

def _set_text(self, text: str, justify: bool = False) -> None:
    _originals["set_text"](self, text, justify)
    self._ts_fresh = True
    if _active is None or not self.text:
        return
    halts = halted(self.text, _active.punctuation)
    trim = getattr(self, "_ts_trim", None)
    if justify and trim is not None and trim < len(self.text):
        halts.add(trim)
    # The taiwan style centres every mark.
    centred = marks(self.text) if _active.punctuation == "taiwan" else []
    _mark_attributes(self, halts, set(centred))


def _mark_attributes(layout, halts: set[int], centred: set[int]) -> None:
    """Give the Pango layout exactly these halts and centred marks.

    A Pango layout keeps its attributes when its text is set again: halts
    placed for a previous (longer) text must go, or the line is measured
    with a mark halved that its own text does not halve. The break pass sets
    text after text (a paragraph, then its first line): when the attributes
    already in place are the ones wanted, nothing is redone."""
    previous = getattr(layout, "_ts_marks", None)
    if previous is not None and previous[0] is not layout.layout:
        previous = None  # a new Pango layout (WeasyPrint's setup): no attributes yet
    if not (halts or centred or previous):
        return
    text = layout.text
    if previous is not None and previous[1].startswith(text):
        # The same text or a prefix of it (its first line): compare indices.
        size = len(text)
        if (halts == {i for i in previous[2] if i < size}
                and centred == {i for i in previous[3] if i < size}):
            return
    if halts or centred or previous:
        offsets = shaping.byte_offsets(text, halts | centred)
        shaping.set_halts(layout, halts, centred, offsets)
    layout._ts_marks = (layout.layout, text, halts, centred) if halts or centred else None


def _get_first_line(self):
    first_line, index = _originals["get_first_line"](self)
    deltas = getattr(self, "_ts_deltas", None)
    if deltas and getattr(self, "_ts_fresh", False):
        self._ts_fresh = False  # widen once per shaping, never twice
        shaping.widen(first_line, self.text, deltas)
    return first_line, index


# --- Line breaking -----------------------------------------------------------

def _split_first_line(text, style, context, max_width, justification_spacing,
                      is_line_start=True, minimum=False):
    """Pango's break, reconsidered for justified Chinese (``linebreak``)."""
    def split(width):
        return _originals["split_first_line"](text, style, context, width,
                                              justification_spacing, is_line_start, minimum)

    result = split(max_width)
    if (minimum or max_width is None or max_width == math.inf or result[2] is None
            or style["text_align_all"] != "justify" or style["white_space"] != "normal"):
        return result
    return linebreak.reconsider(text, style["font_size"], max_width, result, split,
                                _active.autospace)


# --- Layout side: plan and apply each line ---------------------------------

def _text_align(context, line, available_width, last):
    """Space Han from Latin, then justify (or tighten an overfull last line);
    other alignments are WeasyPrint's, on the spaced widths."""
    from weasyprint.formatting_structure import boxes

    pairs = list(_leaves(line, boxes, False))
    leaves = [box for box, _ in pairs]
    texts = [None if raised else _usable_text(box, boxes) for box, raised in pairs]
    analysed = plan.analyse(texts)
    deltas = _autospace(analysed, leaves)
    slack = available_width - line.width - sum(deltas.values())
    justify = analysed.classes and _justified(line, last) and (not last or slack < 0)
    trimmed = 0.0
    if justify:
        trimmed = _trim_line_end(leaves, texts) if slack < 0 else 0.0
        _justify(deltas, analysed, slack + trimmed, line.style["font_size"])
    if deltas or trimmed:
        _apply(line, leaves, deltas, trimmed, boxes)
    if justify:
        return 0
    return _originals["text_align"](context, line, available_width, last)


def _autospace(analysed: plan.Line, leaves: list) -> dict[tuple[int, int], float]:
    """The Han–Latin spaces of the line, in px, by (box, char index)."""
    if not _active.autospace:
        return {}
    owners = analysed.owners
    return {owners[p]: _active.autospace * leaves[owners[p][0]].style["font_size"]
            for p in analysed.autospace}


def _justified(line, last: bool) -> bool:
    """Is the line set justified (CSS ``text-align``/``text-align-last``)?"""
    style = line.style
    align = style["text_align_last"] if last else style["text_align_all"]
    if align == "auto":
        align = style["text_align_all"]
    return align == "justify" and style["white_space"] in ("normal", "nowrap", "pre-line")


def _justify(deltas: dict, analysed: plan.Line, amount: float, em: float) -> None:
    """Add the line's slack (negative: tightening) to ``deltas``: even over
    the gaps, the excess over ``GAP_CAP`` to the spaces (``plan.split_slack``)."""
    wide = analysed.autospace if _active.autospace else []
    for positions, share in plan.split_slack(analysed, wide, amount,
                                             linebreak.GAP_CAP * em, WIDE_CAP * em):
        for key, value in plan.spread(analysed, positions, share, em / 1000).items():
            deltas[key] = deltas.get(key, 0.0) + value


def _leaves(box, boxes, raised: bool) -> Iterator[tuple[object, bool]]:
    """The line's in-flow leaf boxes, left to right (LTR lines), each with
    whether it sits in raised or lowered text (``<sup><a>1</a></sup>``: the
    text box itself keeps ``vertical-align: baseline``)."""
    for child in getattr(box, "children", ()):
        # Text boxes are always in flow (and most children are text boxes).
        if type(child) is not boxes.TextBox and not child.is_in_normal_flow():
            continue
        if isinstance(child, (boxes.LineBox, boxes.InlineBox)):
            shifted = raised or child.style["vertical_align"] != "baseline"
            yield from _leaves(child, boxes, shifted)
        else:
            yield child, raised


def _usable_text(box, boxes) -> str | None:
    """A text box we may adjust, or None (atomic boxes, preformatted text,
    letter-spaced text, right-to-left text)."""
    if not isinstance(box, boxes.TextBox) or getattr(box, "pango_layout", None) is None:
        return None
    style = box.style
    # Raised text (a footnote mark) is not spaced from its neighbours.
    if (style["white_space"] not in ("normal", "nowrap", "pre-line")
            or style["vertical_align"] != "baseline"
            or style["letter_spacing"] != "normal" or style["direction"] != "ltr"):
        return None
    return box.text


def _trim_line_end(leaves, texts) -> float:
    """Set an overfull line's final closing mark half width (GB/T 15834
    §5.1.10); return the width freed."""
    if not leaves or texts[-1] is None or not texts[-1]:
        return 0.0
    if _active.punctuation == "taiwan":
        # Centred marks have no blank half to give up: halving one keeps its
        # ink centred and pushes its box a quarter em past the measure.
        return 0.0
    box, text = leaves[-1], texts[-1]
    index = len(text.rstrip(" \u200b")) - 1
    if index < 0 or text[index] not in CLOSING or index in halted(text, _active.punctuation):
        return 0.0
    saving = _halt_saving(box.style, text[index])
    if saving <= 0:
        return 0.0
    box.pango_layout._ts_trim = index
    return saving


def _halt_saving(style, char: str) -> float:
    """How much narrower ``char`` is with ``halt`` in this style's font."""
    from weasyprint.text.line_break import Layout, line_size

    key = (char, _font_key(style))
    if key not in _saving_cache:
        widths = []
        for trim in (None, 0):
            layout = Layout(style)
            layout._ts_trim = trim
            layout.set_text(char, justify=True)
            widths.append(line_size(layout.get_first_line()[0], style)[0])
        _saving_cache[key] = widths[0] - widths[1]
    return _saving_cache[key]


_saving_cache: dict[tuple, float] = {}


def _font_key(style) -> tuple:
    return (tuple(style["font_family"]), style["font_size"], style["font_weight"],
            style["font_style"], style["lang"], str(style["font_feature_settings"]))


def _apply(line, leaves, deltas, trimmed: float, boxes) -> None:
    """Give each box its planned widths (the last one less what trimming its
    final mark saved) and shift everything after it."""
    per_box: dict[int, dict[int, float]] = {}
    for (number, index), value in deltas.items():
        per_box.setdefault(number, {})[index] = value
    added = {id(leaves[n]): sum(d.values()) for n, d in per_box.items()}
    if trimmed:
        added[id(leaves[-1])] = added.get(id(leaves[-1]), 0.0) - trimmed
    for number, box_deltas in per_box.items():
        layout = leaves[number].pango_layout
        layout._ts_deltas = box_deltas
    _shift(line, added, 0.0, boxes)


def _shift(box, added: dict[int, float], advance: float, boxes) -> float:
    """Like WeasyPrint's ``add_word_spacing``: move ``box`` right by
    ``advance``, grow it by what was added inside it; return the new advance."""
    if isinstance(box, boxes.TextBox):
        box.position_x += advance
        extra = added.get(id(box), 0.0)
        box.width += extra
        return advance + extra
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += advance
        before = advance
        for child in box.children:
            if type(child) is boxes.TextBox or child.is_in_normal_flow():
                advance = _shift(child, added, advance, boxes)
        box.width += advance - before
        return advance
    box.translate(advance, 0)
    return advance
