"""Hostile and broken input: exact problems for a corpus of broken files, and mutation fuzzing.

The corpus (tests/hostile/files, made by tests/hostile/make_corpus.py) covers syntax errors at
every nesting level, duplicate keys, YAML bombs, bad encodings, NUL bytes, tabs, line endings,
impossible timestamps, unsafe ids and look-alike names. Each file must produce exactly the
problems listed in tests/hostile/expected.yml: no more, no fewer, at the same places.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from statusbook.check.catalogue import RULE_IDS
from statusbook.check.incident import check_incident_file
from statusbook.commands.validate import read_handbook
from statusbook.core.problems import Level
from statusbook.io.config_file import load_config

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "tests" / "hostile"
FILES = sorted((HERE / "files").iterdir())
EXPECTED = yaml.safe_load((HERE / "expected.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def handbook():
    result, problems = read_handbook(load_config(REPO))
    assert result is not None and not problems
    return result


def test_corpus_is_large_and_fully_specified() -> None:
    assert len(FILES) >= 60
    assert sorted(f.name for f in FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=[f.name[:40] for f in FILES])
def test_hostile_file_gives_exactly_the_expected_problems(path: Path, handbook) -> None:
    started = time.perf_counter()
    checked = check_incident_file(path.read_bytes(), f"incidents/2026/{path.name}", handbook)
    elapsed = time.perf_counter() - started
    found = [[p.line, p.column, p.rule] for p in checked.problems]
    assert found == EXPECTED[path.name]
    assert elapsed < 1.0
    for problem in checked.problems:
        assert problem.line >= 1 and problem.column >= 1
        assert problem.rule in RULE_IDS
        assert problem.message
    if any(p.level is Level.ERROR for p in checked.problems):
        assert checked.incident is None


VALID = (HERE / "valid-seed.yml").read_bytes()


def test_seed_is_valid(handbook) -> None:
    checked = check_incident_file(VALID, "incidents/2026/seed.yml", handbook)
    assert checked.problems == ()
    assert checked.incident is not None


def _assert_sane(data: bytes, handbook) -> None:
    started = time.perf_counter()
    checked = check_incident_file(data, "incidents/2026/mutant.yml", handbook)
    assert time.perf_counter() - started < 1.0
    lines = data.count(b"\n") + 2
    for problem in checked.problems:
        assert problem.rule in RULE_IDS, problem
        assert 1 <= problem.line <= lines, problem
        assert problem.column >= 1
    if any(p.level is Level.ERROR for p in checked.problems):
        assert checked.incident is None


BYTES_OF_INTEREST = [b"\n", b" ", b"\t", b":", b"-", b"[", b"]", b"{", b"}", b"&a", b"*a", b"!", b"#", b'"', b"'", b"|", b">", b"\x00", b"\xff", b"\r", b"<<", b"\xef\xbb\xbf", b"?", b",", b"%", b"@", b"`"]


@settings(max_examples=300)
@given(
    mutations=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(VALID)), st.integers(min_value=0, max_value=12), st.one_of(st.sampled_from(BYTES_OF_INTEREST), st.binary(max_size=6))),
        min_size=1,
        max_size=6,
    )
)
def test_mutated_files_are_accepted_or_reported_never_raise(mutations, handbook) -> None:
    data = bytearray(VALID)
    for offset, delete, insert in mutations:
        offset = min(offset, len(data))
        data[offset : offset + delete] = insert
    _assert_sane(bytes(data), handbook)


@settings(max_examples=150)
@given(
    line_numbers=st.lists(st.integers(min_value=0, max_value=VALID.count(b"\n")), min_size=1, max_size=4),
    replacement=st.sampled_from([b"", b"  ", b"    ", b"-", b"x: y"]),
)
def test_line_level_mutations_never_raise(line_numbers, replacement, handbook) -> None:
    lines = VALID.split(b"\n")
    for number in line_numbers:
        if number < len(lines):
            lines[number] = replacement + lines[number].lstrip()
    _assert_sane(b"\n".join(lines), handbook)
