"""The adapter to WeasyPrint's internals: the only module of ``book`` that
reaches into them (everything else uses WeasyPrint's public API). Written for
exactly one WeasyPrint version, ``SUPPORTED``, which pyproject.toml pins;
``check_weasyprint`` refuses any other, and tests/test_weasy.py tests each
internal relied on here, by its behaviour.

What it does, for the duration of one render (``installed``):

- ``split_first_line`` (as the inline layout calls it): Pango's break is
  reconsidered by ``book.typeset.linebreak`` (loose lines, lone last
  characters); as the intrinsic-width code calls it, the width of a line
  includes its Han–Latin spaces, so that shrink-to-fit boxes (table cells,
  floats) are as wide as the lines later laid out in them;
- ``Layout.set_text`` adds OpenType ``halt`` (half-width) on the byte ranges
  of the marks the punctuation style compresses, and zh-TW shaping on the
  marks the Taiwan style centres. Pango shapes with them in the line-breaking
  pass *and* the drawing pass, so both measure the same widths, and so do
  the intrinsic widths. (Setting them before layout, as spans with
  ``font-feature-settings``, was tried: WeasyPrint breaks lines worse across
  inline boxes, see docs/architecture.md.);
- ``text_align`` (called once per laid-out line) adds the Han–Latin space and,
  on a justified line, spreads the slack over every inter-character gap
  (``book.typeset.plan``); an overfull line first trims a line-end mark to
  half width, then tightens. Widths and positions of the boxes are updated;
- ``Layout.get_first_line`` widens the glyphs of the drawn line by exactly
  the planned amounts (Pango glyph geometry): nothing is inserted in the
  text, so the PDF's text layer stays the manuscript's.

Also here: whether WeasyPrint will subset fonts slowly (``slow_subsetter``)
and the page count of a layout in progress (``page_progress``), both read
from WeasyPrint's internals.
"""
from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import inspect
import logging
import math
import re
import sys
from typing import Iterator

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline, preferred
from weasyprint.text import ffi as text_ffi, line_break
from weasyprint.text.ffi import ffi, pango
from weasyprint.text.fonts import font_features

from book.errors import BuildError
from book.text.chars import CLOSING, PUNCTUATION_STYLES, ZWSP, halted, marks
from book.typeset import linebreak, plan

# The WeasyPrint version whose internals this module was written and tested
# against (pyproject.toml pins it).
SUPPORTED = "70.0"
# Most a word space or Han–Latin space may grow on a loose line, in em.
WIDE_CAP = 0.75


@dataclasses.dataclass(frozen=True)
class Settings:
    """An edition's typesetting choices."""

    punctuation: str = "quanjiao"
    autospace: float = 0.25  # em; 0 turns Han–Latin spacing off


_active: Settings | None = None
_originals: dict[str, object] = {}

# The internals replaced or called, with the parameters they must have.
EXPECTED = {
    (inline, "text_align"): ["context", "line", "available_width", "last"],
    (inline, "split_first_line"): ["text", "style", "context", "max_width",
                                   "justification_spacing", "is_line_start", "minimum"],
    (preferred, "split_first_line"): ["text", "style", "context", "max_width",
                                      "justification_spacing", "is_line_start", "minimum"],
    (line_break.Layout, "set_text"): ["self", "text", "justify"],
    (line_break.Layout, "get_first_line"): ["self"],
    (line_break, "line_size"): ["line", "style"],
    (line_break.Layout, "__init__"): ["self", "style", "justification_spacing", "max_width"],
}


def check_weasyprint() -> None:
    """Refuse to patch a WeasyPrint whose internals are not the ones we know."""
    problem = None
    if weasyprint.__version__ != SUPPORTED:
        problem = f"WeasyPrint {weasyprint.__version__} is installed"
    for (owner, name), params in EXPECTED.items():
        func = getattr(owner, name, None)
        if func is None or list(inspect.signature(func).parameters) != params:
            problem = f"weasyprint {owner.__name__}.{name} changed"
    if problem:
        raise BuildError(f"Chinese typesetting cannot run: {problem}",
                         hint=f"install WeasyPrint {SUPPORTED} (pip install "
                              f"'weasyprint=={SUPPORTED}')")


@contextlib.contextmanager
def installed(settings: Settings) -> Iterator[None]:
    """Patch WeasyPrint for one render (layout *and* drawing: keep
    ``write_pdf`` inside the block); restore it afterwards, even on error."""
    global _active
    if settings.punctuation not in PUNCTUATION_STYLES:
        raise BuildError(f"unknown punctuation style '{settings.punctuation}'",
                         hint="valid styles: " + ", ".join(PUNCTUATION_STYLES))
    check_weasyprint()
    if _active is not None:
        raise BuildError("typesetting is already installed (nested render)")
    targets = {"split_first_line": (inline, _split_first_line),
               "intrinsic_split_first_line": (preferred, _intrinsic_split_first_line),
               "set_text": (line_break.Layout, _set_text),
               "get_first_line": (line_break.Layout, _get_first_line),
               "text_align": (inline, _text_align)}
    for key, (owner, func) in targets.items():
        name = _attribute(key)
        _originals[key] = getattr(owner, name)
        setattr(owner, name, func)
    _active = settings
    try:
        yield
    finally:
        for key, (owner, _) in targets.items():
            setattr(owner, _attribute(key), _originals.pop(key))
        _active = None


def _attribute(key: str) -> str:
    """The attribute a target replaces (two targets replace one name)."""
    return key.removeprefix("intrinsic_")


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
        offsets = byte_offsets(text, halts | centred)
        set_halts(layout, halts, centred, offsets)
    layout._ts_marks = (layout.layout, text, halts, centred) if halts or centred else None


def _get_first_line(self):
    first_line, index = _originals["get_first_line"](self)
    deltas = getattr(self, "_ts_deltas", None)
    if deltas and getattr(self, "_ts_fresh", False):
        self._ts_fresh = False  # widen once per set_text, never twice
        widen(first_line, self.text, deltas)
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


def _intrinsic_split_first_line(text, style, context, max_width, justification_spacing,
                                is_line_start=True, minimum=False):
    """Pango's first line, its width with the Han–Latin spaces ``_text_align``
    will add to it, for the min- and max-content widths."""
    result = _originals["intrinsic_split_first_line"](
        text, style, context, max_width, justification_spacing, is_line_start, minimum)
    if not _active.autospace or not _spaced(style):
        return result
    line = plan.analyse([text.encode()[:result[1]].decode(errors="ignore")])
    if not line.autospace:
        return result
    extra = _active.autospace * style["font_size"] * len(line.autospace)
    return (*result[:3], result[3] + extra, *result[4:])


# --- Layout side: plan and apply each line ---------------------------------

def _text_align(context, line, available_width, last):
    """Space Han from Latin, then justify (or tighten an overfull last line);
    other alignments are WeasyPrint's, on the spaced widths."""
    pairs = list(_leaves(line, False))
    leaves = [box for box, _ in pairs]
    texts = [None if raised else _usable_text(box) for box, raised in pairs]
    analysed = plan.analyse(texts)
    deltas = _autospace(analysed, leaves)
    slack = available_width - line.width - sum(deltas.values())
    justify = analysed.classes and _justified(line, last) and (not last or slack < 0)
    trimmed = 0.0
    if justify:
        trimmed = _trim_line_end(leaves, texts) if slack < 0 else 0.0
        _justify(deltas, analysed, slack + trimmed, line.style["font_size"])
    if deltas or trimmed:
        _apply(line, leaves, deltas, trimmed)
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


def _leaves(box, raised: bool) -> Iterator[tuple[object, bool]]:
    """The line's in-flow leaf boxes, left to right (LTR lines), each with
    whether it sits in raised or lowered text (``<sup><a>1</a></sup>``: the
    text box itself keeps ``vertical-align: baseline``)."""
    for child in getattr(box, "children", ()):
        # Text boxes are always in flow (and most children are text boxes).
        if type(child) is not boxes.TextBox and not child.is_in_normal_flow():
            continue
        if isinstance(child, (boxes.LineBox, boxes.InlineBox)):
            shifted = raised or child.style["vertical_align"] != "baseline"
            yield from _leaves(child, shifted)
        else:
            yield child, raised


def _usable_text(box) -> str | None:
    """A text box we may adjust, or None (atomic boxes, preformatted text,
    letter-spaced text, right-to-left text)."""
    if not isinstance(box, boxes.TextBox) or getattr(box, "pango_layout", None) is None:
        return None
    return box.text if _spaced(box.style) else None


def _spaced(style) -> bool:
    """Is text in this style ours to space and justify? Not preformatted,
    raised (a footnote mark is not spaced from its neighbours),
    letter-spaced or right-to-left text."""
    return (style["white_space"] in ("normal", "nowrap", "pre-line")
            and style["vertical_align"] == "baseline"
            and style["letter_spacing"] == "normal" and style["direction"] == "ltr")


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
    index = len(text.rstrip(" " + ZWSP)) - 1
    if index < 0 or text[index] not in CLOSING or index in halted(text, _active.punctuation):
        return 0.0
    saving = _halt_saving(box.style, text[index])
    if saving <= 0:
        return 0.0
    box.pango_layout._ts_trim = index
    return saving


def _halt_saving(style, char: str) -> float:
    """How much narrower ``char`` is with ``halt`` in this style's font."""
    key = (char, _font_key(style))
    if key not in _saving_cache:
        widths = []
        for trim in (None, 0):
            layout = line_break.Layout(style)
            layout._ts_trim = trim
            layout.set_text(char, justify=True)
            widths.append(line_break.line_size(layout.get_first_line()[0], style)[0])
        _saving_cache[key] = widths[0] - widths[1]
    return _saving_cache[key]


_saving_cache: dict[tuple, float] = {}


def _font_key(style) -> tuple:
    return (tuple(style["font_family"]), style["font_size"], style["font_weight"],
            style["font_style"], style["lang"], str(style["font_feature_settings"]))


def _apply(line, leaves, deltas, trimmed: float) -> None:
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
    _shift(line, added, 0.0)


def _shift(box, added: dict[int, float], advance: float) -> float:
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
                advance = _shift(child, added, advance)
        box.width += advance - before
        return advance
    box.translate(advance, 0)
    return advance


# --- Pango: attributes and glyph geometry -----------------------------------------

def set_halts(layout, indices: set[int], centred: set[int],
              offsets: dict[int, int]) -> None:
    """Halts on ``indices``; marks at ``centred`` shaped as Traditional
    Chinese for Taiwan (the font's ``locl`` centres them in the em box);
    ``offsets`` are their byte offsets (``byte_offsets``)."""
    style = layout.style
    plain = (style["letter_spacing"] == "normal" and not style["word_spacing"]
             and not layout.justification_spacing
             and style["overflow_wrap"] not in ("anywhere", "break-word"))
    if plain:
        # A fresh list: WeasyPrint put nothing in it but the style's features
        # (re-added here), and Pango 1.50's pango_attr_list_change does not
        # reliably drop the old halts.
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        cached = getattr(layout, "_ts_features", None)
        if cached is None or cached[0] is not style:
            cached = layout._ts_features = (style, _style_features(style))
        features = cached[1]
        if features:
            pango.pango_attr_list_insert(attr_list, pango.pango_attr_font_features_new(features))
    else:
        # Spacing attributes must stay. Halts from a previous text may survive
        # here: only in letter- or word-spaced text, which we do not justify.
        attr_list = pango.pango_layout_get_attributes(layout.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    for index in sorted(indices):
        attr = pango.pango_attr_font_features_new(b"halt 1")
        attr.start_index, attr.end_index = offsets[index], offsets[index + 1]
        # insert, not change: overlapping feature attributes add up.
        pango.pango_attr_list_insert(attr_list, attr)
    if centred:
        taiwan = _taiwan_language()
        for index in centred:
            attr = pango.pango_attr_language_new(taiwan)
            attr.start_index, attr.end_index = offsets[index], offsets[index + 1]
            pango.pango_attr_list_insert(attr_list, attr)
    pango.pango_layout_set_attributes(layout.layout, attr_list)


@functools.cache
def _taiwan_language():
    """Pango's zh-TW language (WeasyPrint's FFI lacks the attribute's
    constructor: it is declared here, once)."""
    ffi.cdef("PangoAttribute * pango_attr_language_new (PangoLanguage *language);")
    return pango.pango_language_from_string(b"zh-tw")


_FEATURE_KEYS = ("font_kerning", "font_variant_ligatures", "font_variant_position",
                 "font_variant_caps", "font_variant_numeric", "font_variant_alternates",
                 "font_variant_east_asian", "font_feature_settings")


def _style_features(style) -> bytes:
    """The OpenType features WeasyPrint's ``Layout.setup`` gives the text."""
    return _features(repr(tuple(style[key] for key in _FEATURE_KEYS)),
                     tuple(style[key] for key in _FEATURE_KEYS))


_feature_cache: dict[str, bytes] = {}


def _features(key: str, values: tuple) -> bytes:
    if key not in _feature_cache:
        features = font_features(*values)
        _feature_cache[key] = ",".join(f"{k} {v}" for k, v in features.items()).encode()
    return _feature_cache[key]


def byte_offsets(text: str, indices: set[int]) -> dict[int, int]:
    """UTF-8 byte offsets of the characters at ``indices`` and of the ones
    after them (the ends of their ranges). The texts Pango gets in the
    line-breaking pass can be whole paragraphs: encode the stretches between
    the indices (in C), never loop over every character."""
    wanted = sorted(indices | {i + 1 for i in indices})
    out, done, total = {}, 0, 0
    for index in wanted:
        total += len(text[done:index].encode())
        out[index] = total
        done = index
    return out


def widen(line, text: str, deltas: dict[int, float]) -> None:
    """Add ``deltas[i]`` px after character ``i`` by widening its glyph (the
    last glyph of the cluster holding it: ``——`` may be one ligature glyph).

    Amounts are whole thousandths of an em, rounded away from zero in Pango
    units, so WeasyPrint's integer TJ kerning reproduces them exactly."""
    offsets = byte_offsets(text, {i for i, d in deltas.items() if i < len(text) and d})
    wanted = sorted((offsets[i], d) for i, d in deltas.items() if i < len(text) and d)
    run = line.runs
    while run != ffi.NULL and wanted:
        glyphs, item = run.data.glyphs, run.data.item
        start, end = item.offset, item.offset + item.length
        # One read of the run's cluster offsets (LTR: ascending), not one per glyph.
        clusters = ffi.unpack(glyphs.log_clusters, glyphs.num_glyphs)
        rest = []
        for offset, delta in wanted:
            if not start <= offset < end:
                rest.append((offset, delta))
                continue
            glyph = bisect.bisect_right(clusters, offset - start) - 1
            units = delta * 1024
            glyphs.glyphs[max(glyph, 0)].geometry.width += (
                math.ceil(units) if units > 0 else math.floor(units))
        wanted = rest
        run = run.next


# --- What WeasyPrint does not say in its API -----------------------------------

def slow_subsetter() -> bool:
    """Will WeasyPrint subset the PDF's fonts with fontTools? It does when
    libharfbuzz-subset is missing or older than 4.1.0 (``Font.subset`` in
    weasyprint/pdf/fonts.py), many times slower on CJK faces."""
    return (text_ffi.harfbuzz_subset is None
            or not text_ffi.harfbuzz.hb_version_atleast(4, 1, 0))


# WeasyPrint logs each page it lays out to this logger, in these words.
PROGRESS_LOGGER = "weasyprint.progress"
PAGE = re.compile(r"Creating layout - Page (\d+)")


class _PageCounter(logging.Handler):
    """Shows the page count on stderr every ten pages."""

    def __init__(self, label: str) -> None:
        super().__init__(logging.INFO)
        self.label = label
        self.last = 0
        self.passes = 1

    def emit(self, record: logging.LogRecord) -> None:
        match = PAGE.search(record.getMessage())
        if not match:
            return
        page = int(match[1])
        # WeasyPrint lays the pages out again when page counters or running
        # heads changed: say so, rather than count back from 1.
        if page < self.last:
            self.passes += 1
        self.last = page
        if page % 10 == 0:
            again = f" (pass {self.passes})" if self.passes > 1 else ""
            sys.stderr.write(f"\r{self.label}: laid out {page} pages{again} …")
            sys.stderr.flush()


@contextlib.contextmanager
def page_progress(label: str, enabled: bool) -> Iterator[None]:
    """While active (and ``enabled``), show WeasyPrint's page count for LABEL
    on stderr."""
    if not enabled:
        yield
        return
    logger = logging.getLogger(PROGRESS_LOGGER)
    handler = _PageCounter(label)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
