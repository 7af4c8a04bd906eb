"""Pango-level work of the typesetting engine: attributes on a layout's text
(OpenType ``halt`` on marks, zh-TW shaping for centred marks) and the
widening of a shaped line's glyphs.

In: a WeasyPrint ``Layout`` (its Pango layout, text and style) and what the
engine decided — which characters to halve or centre, how many px to add
after which characters. Out: the Pango layout changed in place.
"""
from __future__ import annotations

import bisect
import functools
import math


def set_halts(layout, indices: set[int], centred: set[int],
              offsets: dict[int, int]) -> None:
    """Halts on ``indices``; marks at ``centred`` shaped as Traditional
    Chinese for Taiwan (the font's ``locl`` centres them in the em box);
    ``offsets`` are their byte offsets (``byte_offsets``)."""
    from weasyprint.text.ffi import ffi, pango

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
    from weasyprint.text.ffi import ffi, pango

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
        from weasyprint.text.fonts import font_features

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
    from weasyprint.text.ffi import ffi

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
