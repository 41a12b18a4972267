"""The validation result cache: JSON Lines that round-trip any text, survive a cut, and are read from the file when asked for."""

from __future__ import annotations

import json
from pathlib import Path

from statusbook.io.result_cache import ResultCache

CODE = "code-digest"
VALUES = {
    "a" * 40: {"title": "Ümlaut and emoji 🚦", "message": "line\nbreak, tab\t, quote \" and U+2028 \u2028 end"},
    "b" * 40: {"title": "plain", "n": [1, 2.5, None, True]},
    "c" * 40: {"title": "a lone surrogate \udc80 kept as written"},
}


def stored(path: Path, values: dict[str, object] = VALUES) -> None:
    with ResultCache(path, CODE) as cache:
        for key, value in values.items():
            cache.put(key, value)
        cache.save()


def test_results_come_back_exactly_as_they_were_put(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    stored(path)
    with ResultCache(path, CODE) as again:
        assert {key: again.get(key, lambda raw: raw) for key in VALUES} == VALUES
    assert path.read_text(encoding="utf-8", errors="surrogatepass").count("\n") == 1 + len(VALUES)  # a header and a line each


def test_a_file_cut_short_keeps_every_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    stored(path)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 5])  # the last line loses all but 4 bytes
    with ResultCache(path, CODE) as again:
        found = {key: again.get(key, lambda raw: raw) for key in VALUES}
    assert sum(value is not None for value in found.values()) == len(VALUES) - 1
    assert all(found[key] in (None, VALUES[key]) for key in VALUES)


def test_another_code_or_format_or_garbage_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    stored(path)
    with ResultCache(path, "other code") as other:
        assert other.get("a" * 40, lambda raw: raw) is None
    for garbage in (b"not JSON at all", b'{"format": 1, "results": {}}', b"\xff\xfe\n" + b"a" * 40 + b' {"title": 1}\n'):
        path.write_bytes(garbage)
        with ResultCache(path, CODE) as cache:
            assert cache.get("a" * 40, lambda raw: raw) is None
            cache.put("a" * 40, VALUES["a" * 40])
            cache.save()
        header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        with ResultCache(path, CODE) as again:
            assert header["code"] == CODE and again.get("a" * 40, lambda raw: raw) == VALUES["a" * 40]


def test_a_line_that_does_not_decode_is_a_miss_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    stored(path)

    def refuse(raw: object) -> object:
        raise KeyError("incident")

    with ResultCache(path, CODE) as cache:
        assert cache.get("b" * 40, refuse) is None
        assert cache.get("b" * 40, lambda raw: raw) is None  # dropped: checked again and put anew


def test_only_the_results_a_run_used_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    stored(path)
    with ResultCache(path, CODE) as cache:
        assert cache.get("a" * 40, lambda raw: raw) == VALUES["a" * 40]
        cache.save()
    with ResultCache(path, CODE) as again:
        assert again.get("a" * 40, lambda raw: raw) == VALUES["a" * 40] and again.get("b" * 40, lambda raw: raw) is None


def test_without_a_cache_file_nothing_is_encoded_or_written(tmp_path: Path) -> None:
    cache = ResultCache(None, CODE)
    assert not cache.enabled
    cache.put("a" * 40, VALUES["a" * 40])
    cache.save()
    assert list(tmp_path.iterdir()) == []


def test_an_unchanged_run_writes_nothing_and_a_change_keeps_the_results_read_before_it(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    stored(path)
    stamp = path.stat().st_mtime_ns
    with ResultCache(path, CODE) as cache:
        assert {key: cache.get(key, lambda raw: raw) for key in VALUES} == VALUES
        cache.save()
    assert path.stat().st_mtime_ns == stamp
    with ResultCache(path, CODE) as cache:
        assert cache.get("a" * 40, lambda raw: raw) == VALUES["a" * 40]
        cache.put("d" * 40, {"title": "new"})
        assert cache.get("b" * 40, lambda raw: raw) == VALUES["b" * 40]
        cache.save()
    with ResultCache(path, CODE) as again:
        found = {key: again.get(key, lambda raw: raw) for key in ("a" * 40, "b" * 40, "c" * 40, "d" * 40)}
    assert found == {"a" * 40: VALUES["a" * 40], "b" * 40: VALUES["b" * 40], "c" * 40: None, "d" * 40: {"title": "new"}}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no scratch file left behind
