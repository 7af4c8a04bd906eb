"""Ahead-of-time compilation: a build renders from the templates compiled at
set-up instead of compiling them again (book.precompile, book.render.html)."""
from __future__ import annotations

import jinja2
import pytest

from book.precompile import main as precompile
from book.render import html


@pytest.fixture
def fresh_environments():
    html.environment.cache_clear()  # environments made from here on are new
    yield
    html.environment.cache_clear()


def test_precompiled_templates_render_without_compiling(fresh_environments, monkeypatch):
    assert precompile() == 0

    def no_compile(*args, **kwargs):
        raise AssertionError("a template was compiled at build time")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compile)
    env = html.environment(None)  # what a --no-cache build uses
    for name in ("epub_chapter.xhtml.j2", "chapter.html.j2", "edition.css.j2"):
        assert env.get_template(name) is not None


def test_a_stale_precompiled_template_is_compiled_again(fresh_environments, tmp_path,
                                                        monkeypatch):
    # A template edited after set-up: Jinja's checksum rejects the shipped
    # entry, the template is compiled and kept in the build's cache folder.
    monkeypatch.setattr(html, "SHIPPED_BYTECODE", tmp_path / "shipped")
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, *a, **k: compiled.append(a[1]) or real(self, *a, **k))
    html.environment(tmp_path / "dist-cache").get_template("epub_cover.xhtml.j2")
    assert compiled == ["epub_cover.xhtml.j2"]
    assert list((tmp_path / "dist-cache" / "jinja").glob("__jinja2_*.cache"))
    html.environment.cache_clear()
    compiled.clear()
    html.environment(tmp_path / "dist-cache").get_template("epub_cover.xhtml.j2")
    assert compiled == []  # the next build finds it there
