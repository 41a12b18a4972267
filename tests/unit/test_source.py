"""The YAML loader: exact 1-based positions, YAML 1.2 values, and one clear problem per unusable file."""

from __future__ import annotations

import time

import pytest
from statusbook.core.problems import Level, Mark
from statusbook.core.yaml_source import MAX_FILE_BYTES, MarkedDict, MarkedList, parse_yaml, read_yaml


def problems(data: bytes | str) -> list[tuple[int, int, str]]:
    parsed = read_yaml(data.encode() if isinstance(data, str) else data, "f.yml")
    return sorted((p.line, p.column, p.rule) for p in parsed.problems)


def value(text: str) -> object:
    parsed = read_yaml(text.encode(), "f.yml")
    assert parsed.problems == (), parsed.problems
    return parsed.value


# --- positions ---------------------------------------------------------------------------


def test_marks_are_one_based_and_exact_for_keys_values_and_items() -> None:
    text = "title: API errors\nupdates:\n  - at: 2026-03-01T10:00:00Z\n    tags: [a, bb]\n  - second\n"
    root = value(text)
    assert isinstance(root, MarkedDict)
    assert root.mark == Mark(1, 1)
    assert root.key_mark("title") == Mark(1, 1)
    assert root.value_mark("title") == Mark(1, 8)
    assert root.key_mark("updates") == Mark(2, 1)
    updates = root["updates"]
    assert isinstance(updates, MarkedList)
    assert updates.mark == Mark(3, 3)
    assert [updates.item_mark(i) for i in range(2)] == [Mark(3, 5), Mark(5, 5)]
    first = updates[0]
    assert first.key_mark("at") == Mark(3, 5) and first.value_mark("at") == Mark(3, 9)
    assert first["tags"].mark == Mark(4, 11)
    assert [first["tags"].item_mark(i) for i in range(2)] == [Mark(4, 12), Mark(4, 15)]


def test_positions_count_characters_not_bytes() -> None:
    root = value("title: Größe 😀 x\nnext: value\nsame: 'ü' \n")
    assert root.value_mark("next") == Mark(2, 7)
    assert root.value_mark("same") == Mark(3, 7)


def test_missing_keys_and_items_fall_back_to_the_container() -> None:
    root = value("a:\n  - x\n")
    assert root.key_mark("missing") == root.mark == Mark(1, 1)
    assert root["a"].item_mark(5) == root["a"].mark == Mark(2, 3)


# --- values: YAML 1.2, not 1.1 -----------------------------------------------------------


def test_timestamps_stay_strings() -> None:
    root = value("a: 2026-03-01T10:00:00Z\nb: 2026-03-01\nc: 2026-03-01 10:00:00\n")
    assert root == {"a": "2026-03-01T10:00:00Z", "b": "2026-03-01", "c": "2026-03-01 10:00:00"}


def test_plain_scalars_follow_the_core_schema() -> None:
    root = value("i: 12\nj: -3\nf: 1.5\nn: ~\ne:\nt: true\nF: False\ns: '12'\nx: 0x1F\nq: =\nm: <<\n")
    assert root == {"i": 12, "j": -3, "f": 1.5, "n": None, "e": None, "t": True, "F": False, "s": "12", "x": "0x1F", "q": "=", "m": "<<"}
    assert type(root["i"]) is int and type(root["t"]) is bool


@pytest.mark.parametrize("word", ["no", "yes", "on", "off", "No", "YES", "Off"])
def test_yaml11_booleans_stay_text_with_a_warning(word: str) -> None:
    parsed = read_yaml(f"answer: {word}\n".encode(), "f.yml")
    assert parsed.value == {"answer": word}
    [problem] = parsed.problems
    assert (problem.line, problem.column, problem.rule, problem.level) == (1, 9, "yaml-truthy", Level.WARNING)
    assert "quote it" in problem.message


def test_quoted_yaml11_booleans_are_plain_text() -> None:
    assert value("a: 'no'\nb: \"yes\"\n") == {"a": "no", "b": "yes"}


def test_markdown_with_asterisks_and_ampersands_is_text() -> None:
    text = 'a: "*emphasis* & **strong**"\nb: |\n  - **bold** & *x*\n  - `!important`\nc: a & b * c ! d\n'
    assert value(text) == {"a": "*emphasis* & **strong**", "b": "- **bold** & *x*\n- `!important`\n", "c": "a & b * c ! d"}


# --- duplicate keys ----------------------------------------------------------------------


def test_duplicate_key_names_both_positions_and_keeps_the_first() -> None:
    parsed = read_yaml(b"title: A\nother: 1\ntitle: B\n", "f.yml")
    [problem] = parsed.problems
    assert (problem.line, problem.column, problem.rule) == (3, 1, "yaml-duplicate-key")
    assert "line 1, column 1" in problem.message
    assert parsed.value == {"title": "A", "other": 1}


def test_duplicate_key_in_a_nested_flow_mapping() -> None:
    assert problems("a:\n  b: {x: 1, y: 2, x: 3}\n") == [(2, 19, "yaml-duplicate-key")]


# --- anchors, aliases, tags, merge keys --------------------------------------------------


def test_anchor_is_rejected_at_its_position() -> None:
    assert problems("a: &name [1, 2]\n") == [(1, 4, "yaml-anchor")]


def test_alias_is_rejected_and_never_expanded() -> None:
    parsed = read_yaml(b"a: &x [1, 2]\nb: *x\n", "f.yml")
    assert sorted((p.line, p.column, p.rule) for p in parsed.problems) == [(1, 4, "yaml-anchor"), (2, 4, "yaml-alias")]
    assert parsed.value is None


def test_undefined_alias_is_one_alias_problem() -> None:
    assert problems("title: *nothing\n") == [(1, 8, "yaml-alias")]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: !!python/object:os.system ls\n", (1, 4)),
        ("a: !!python/object/apply:os.system\n  args: [ls]\n", (1, 4)),
        ("a: !custom value\n", (1, 4)),
        ("a: !!str 12\n", (1, 4)),
        ("a: !!binary aGVsbG8=\n", (1, 4)),
        ("- !!set {x}\n", (1, 3)),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n", (3, 4)),
    ],
)
def test_tags_are_rejected_once_at_their_position(text: str, where: tuple[int, int]) -> None:
    parsed = read_yaml(text.encode(), "f.yml")
    assert [(p.line, p.column, p.rule) for p in parsed.problems] == [(*where, "yaml-tag")]
    assert parsed.value is not None  # the value is read as text, never constructed


def test_merge_key_is_rejected_and_not_merged() -> None:
    parsed = read_yaml(b"a: 1\n<<: {b: 2}\n", "f.yml")
    assert [(p.line, p.column, p.rule) for p in parsed.problems] == [(2, 1, "yaml-merge")]
    assert parsed.value == {"a": 1}


def test_anchors_hidden_in_skipped_values_are_still_found() -> None:
    # The values of duplicate and merge keys are not built; their anchors must still be reported.
    assert problems("a: 1\na: &x [1]\n") == [(2, 1, "yaml-duplicate-key"), (2, 4, "yaml-anchor")]
    assert problems("<<: &m {x: 1}\n") == [(1, 1, "yaml-merge"), (1, 5, "yaml-anchor")]
    assert problems("? [&k a]\n: 1\n") == [(1, 3, "yaml-key"), (1, 4, "yaml-anchor")]


def test_anchored_key_is_rejected() -> None:
    assert problems("&k title: A\n") == [(1, 1, "yaml-anchor")]


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_returns_fast_with_every_anchor_and_alias_located() -> None:
    text = billion_laughs()
    started = time.perf_counter()
    parsed = read_yaml(text.encode(), "bomb.yml")
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5
    assert parsed.value is None
    found = [(p.line, p.column, p.rule) for p in parsed.problems]
    assert found.count((1, 4, "yaml-anchor")) == 1
    assert len([f for f in found if f[2] == "yaml-anchor"]) == 10
    assert len([f for f in found if f[2] == "yaml-alias"]) == 81
    assert (2, 8, "yaml-alias") in found and (10, 32, "yaml-alias") in found


# --- documents and structure -------------------------------------------------------------


def test_two_documents_are_one_problem_at_the_second() -> None:
    assert problems("a: 1\n---\nb: 2\n") == [(2, 1, "yaml-documents")]


def test_one_document_with_markers_is_fine() -> None:
    assert value("---\na: 1\n...\n") == {"a": 1}


def test_nesting_deeper_than_the_limit_is_reported_once_per_branch() -> None:
    parsed = read_yaml(("a: " + "[" * 40 + "]" * 40 + "\n").encode(), "f.yml")
    assert [(p.line, p.column, p.rule) for p in parsed.problems] == [(1, 36, "yaml-nesting")]


def test_extreme_nesting_is_a_single_problem_without_recursion_errors() -> None:
    found = problems("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert len(found) == 1 and found[0][0] == 1


def test_syntax_error_has_the_parser_position() -> None:
    parsed = read_yaml(b"title: ok\nupdates:\n  - at: 1\n   status: x\n", "f.yml")
    [problem] = parsed.problems
    assert problem.rule == "yaml-syntax" and problem.line == 4
    assert parsed.value is None


def test_list_as_key_is_rejected() -> None:
    assert problems("? [a, b]\n: 1\nc: 2\n") == [(1, 3, "yaml-key")]


def test_control_character_in_a_value() -> None:
    assert problems('a: "bell\\a"\nb: fine\n') == [(1, 4, "text-control-character")]


@pytest.mark.parametrize("escape", ["\\x01", "\\x1b", "\\x7f", "\\x9b", "\\ufffe", "\\uffff"])
def test_characters_no_feed_can_carry_are_refused(escape: str) -> None:
    """Feeds and calendars are XML or line-based: these characters would break them for every reader."""
    parsed = read_yaml(f'a: "x{escape}y"\n'.encode(), "f.yml")
    [problem] = parsed.problems
    assert (problem.line, problem.column, problem.rule) == (1, 4, "text-control-character")
    assert "U+" in problem.message


@pytest.mark.parametrize("text", ["caf\u00e9", "line\u2028sep", "emoji \U0001f600", "tab\there"])
def test_printable_text_is_kept(text: str) -> None:
    parsed = read_yaml(f"a: '{text}'\n".encode(), "f.yml")
    assert (tuple(parsed.problems), parsed.value) == ((), {"a": text})


def test_oversized_value_is_cut_and_reported() -> None:
    parsed = read_yaml(("a: " + "x" * 70_000 + "\n").encode(), "f.yml")
    assert [(p.line, p.column, p.rule) for p in parsed.problems] == [(1, 4, "yaml-scalar-size")]
    assert len(parsed.value["a"]) == 65_536


# --- unusable files: exactly one clear problem each ---------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", (1, 1, "file-empty")),
        (b"   \n\n\t\n", (1, 1, "file-empty")),
        (b"# just a comment\n   # and another\n", (1, 1, "file-empty")),
        ("title: A\n".encode("utf-16"), (1, 1, "file-encoding")),
        ("title: A\n".encode("utf-16-le"), (1, 1, "file-encoding")),
        ("title: A\n".encode("utf-32"), (1, 1, "file-encoding")),
        (b"title: A\nnote: x\x00y\n", (2, 8, "file-binary")),
        (b"title: caf\xe9\n", (1, 11, "file-encoding")),
        (b"title: A\n" + b"# " + b"x" * MAX_FILE_BYTES + b"\n", (1, 1, "file-too-large")),
    ],
    ids=["empty", "whitespace", "comments", "utf-16", "utf-16-no-bom", "utf-32", "nul", "latin-1", "over-1-mib"],
)
def test_unusable_file_gives_one_clear_problem(data: bytes, expected: tuple[int, int, str]) -> None:
    parsed = read_yaml(data, "f.yml")
    assert [(p.line, p.column, p.rule) for p in parsed.problems] == [expected]
    assert parsed.problems[0].level is Level.ERROR
    assert parsed.value is None


def test_utf8_byte_order_mark_is_a_warning_and_the_file_still_reads() -> None:
    parsed = read_yaml(b"\xef\xbb\xbftitle: A\n", "f.yml")
    assert [(p.line, p.column, p.rule, p.level) for p in parsed.problems] == [(1, 1, "file-bom", Level.WARNING)]
    assert parsed.value == {"title": "A"}
    assert parsed.value.key_mark("title") == Mark(1, 1)


def test_too_large_message_states_the_limit() -> None:
    parsed = read_yaml(b"a" * (MAX_FILE_BYTES + 1), "f.yml")
    assert "1,048,577 bytes" in parsed.problems[0].message and "1 MiB" in parsed.problems[0].message


def test_problems_carry_the_path_given() -> None:
    parsed = parse_yaml("a: no\n", "incidents/2026/x.yml")
    assert parsed.problems[0].path == "incidents/2026/x.yml"
    assert parsed.problems[0].format() == "incidents/2026/x.yml:1:4: warning [yaml-truthy] " + parsed.problems[0].message


def test_lists_and_scalars_are_returned_for_the_caller_to_judge() -> None:
    assert value("- a\n- b\n") == ["a", "b"]
    assert value("just text\n") == "just text"
