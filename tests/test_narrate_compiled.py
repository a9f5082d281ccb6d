"""narrate/compiled: the disk cache of compiled Jinja templates (phrase files, Word parts)."""

from __future__ import annotations

import os

import pytest
from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from reportgen.narrate.compiled import ENV_VAR, cache_dir, cache_key, compile_cached, from_code

SOURCE = "{% import 'chung.j2' as c %}{{ unit }} đạt {{ score }} điểm"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    where = tmp_path / "cache"
    monkeypatch.setenv(ENV_VAR, str(where))
    return where


def refs(ast):
    return tuple(meta.find_referenced_templates(ast))


def test_a_second_compile_comes_from_the_cache_and_renders_the_same(folder):
    env = SandboxedEnvironment()
    code, derived = compile_cached(env, SOURCE, "ket-qua.j2", "/t/ket-qua.j2", refs)
    assert derived == ("chung.j2",)
    (entry,) = folder.iterdir()
    calls = []
    env.parse = lambda *a, **k: calls.append(a)  # a hit neither parses nor compiles
    again, derived_again = compile_cached(env, SOURCE, "ket-qua.j2", "/t/ket-qua.j2", refs)
    assert calls == [] and derived_again == ("chung.j2",)
    assert list(folder.iterdir()) == [entry]
    body = "{{ unit }} đạt {{ score }} điểm"
    code2, _ = compile_cached(SandboxedEnvironment(), body, "x", "x")
    fresh, _ = compile_cached(SandboxedEnvironment(), body, "x", "x")
    assert from_code(env, code2).render(unit="Hòa Lâm", score="83,02") == "Hòa Lâm đạt 83,02 điểm"
    assert from_code(env, fresh).render(unit="Hòa Lâm", score="83,02") == "Hòa Lâm đạt 83,02 điểm"
    assert again.co_filename == code.co_filename == "/t/ket-qua.j2"  # error lines map back


def test_what_the_code_depends_on_is_in_the_key():
    env = SandboxedEnvironment()
    base = cache_key(env, SOURCE, "a.j2", "/t/a.j2")
    assert cache_key(env, SOURCE + " ", "a.j2", "/t/a.j2") != base  # an edited file
    assert cache_key(env, SOURCE, "b.j2", "/t/a.j2") != base
    assert cache_key(env, SOURCE, "a.j2", "/u/a.j2") != base
    assert cache_key(SandboxedEnvironment(trim_blocks=True), SOURCE, "a.j2", "/t/a.j2") != base
    with_filter = SandboxedEnvironment()
    with_filter.filters["num"] = str
    assert cache_key(with_filter, SOURCE, "a.j2", "/t/a.j2") != base
    assert cache_key(SandboxedEnvironment(), SOURCE, "a.j2", "/t/a.j2") == base


def test_syntax_errors_are_raised_every_time_and_never_cached(folder):
    env = SandboxedEnvironment()
    for _ in range(2):
        with pytest.raises(TemplateSyntaxError):
            compile_cached(env, "{% if %}", "bad.j2", "bad.j2")
    assert list(folder.iterdir()) == []


def test_a_corrupt_entry_is_compiled_again(folder):
    env = SandboxedEnvironment()
    compile_cached(env, "{{ a }}", "x", "x")
    (entry,) = folder.iterdir()
    entry.write_bytes(b"not marshal data")
    code, _ = compile_cached(env, "{{ a }}", "x", "x")
    assert from_code(env, code).render(a=5) == "5"


def test_the_cache_is_off_when_asked_or_when_others_may_write_to_it(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "")
    assert cache_dir() is None
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    monkeypatch.setenv(ENV_VAR, str(shared))
    assert cache_dir() is None  # anyone could plant code there
    env = SandboxedEnvironment()
    code, _ = compile_cached(env, "{{ a }}", "x", "x")
    assert from_code(env, code).render(a=1) == "1" and list(shared.iterdir()) == []
    private = tmp_path / "private"
    monkeypatch.setenv(ENV_VAR, str(private))
    assert cache_dir() == private and (private.stat().st_mode & 0o777) == 0o700
