"""Ahead-of-time compilation: a build renders from the templates compiled at
set-up instead of compiling them again (book.precompile, book.render.html)."""
from __future__ import annotations

import jinja2
import pytest

from book.precompile import main as precompile
from book.render import html


@pytest.fixture
def fresh_environment():
    env = html.environment()
    saved = env.bytecode_cache
    env.cache.clear()
    yield env
    env.bytecode_cache = saved
    env.cache.clear()


def test_precompiled_templates_render_without_compiling(fresh_environment, monkeypatch):
    assert precompile() == 0
    html.use_bytecode_cache(None)  # what a --no-cache build uses

    def no_compile(*args, **kwargs):
        raise AssertionError("a template was compiled at build time")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compile)
    for name in ("epub_chapter.xhtml.j2", "chapter.html.j2", "edition.css.j2"):
        assert fresh_environment.get_template(name) is not None


def test_a_stale_precompiled_template_is_compiled_again(fresh_environment, tmp_path,
                                                        monkeypatch):
    # A template edited after set-up: Jinja's checksum rejects the shipped
    # entry, the template is compiled and kept in the build's cache folder.
    monkeypatch.setattr(html, "SHIPPED_BYTECODE", tmp_path / "shipped")
    html.use_bytecode_cache(tmp_path / "dist-cache")
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, *a, **k: compiled.append(a[1]) or real(self, *a, **k))
    fresh_environment.get_template("epub_cover.xhtml.j2")
    assert compiled == ["epub_cover.xhtml.j2"]
    assert list((tmp_path / "dist-cache" / "jinja").glob("__jinja2_*.cache"))
