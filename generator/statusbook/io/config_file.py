"""Find the repository and read ``mkdocs.yml`` the way MkDocs does, without running anything in it.

MkDocs' own loader resolves ``!ENV`` and merges ``INHERIT`` files, so those
behave exactly as in ``mkdocs build``. Its base loader, though, constructs
``!!python/...`` tags, which imports code: a pull request could run it in the
validation check. Here the same MkDocs loading runs on a safe base, and
Python tags become inert placeholders. Values are located by composing the
files again (nodes only, nothing constructed), so problems in
``extra.statusbook`` carry ``mkdocs.yml:line:col``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import yaml

from statusbook.core.brand import MAX_IMAGE_BYTES, brand_image, image_problem, media_type_of
from statusbook.core.config import CONFIG_FILE, SiteConfig, site_config
from statusbook.core.problems import Mark, Problem, Reporter
from statusbook.core.yaml_source import MarkedDict, MarkedList
from statusbook.errors import ConfigError
from statusbook.io.files import read_source

MAX_CONFIG_BYTES = 1024 * 1024
MAX_EXPANDED_NODES = 100_000  # what the document's aliases may expand to, counted before constructing it


class PythonTag:
    """Stands for a ``!!python/...`` value of mkdocs.yml: MkDocs imports it when it builds; we never do."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __repr__(self) -> str:
        return f"<{self.tag}>"


def safe_mkdocs_loader() -> type[yaml.SafeLoader]:
    from mkdocs.utils.yaml import get_yaml_loader

    loader = get_yaml_loader(loader=yaml.SafeLoader)
    loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda _loader, suffix, node: PythonTag(f"!!python/{suffix}"))
    loader.add_constructor("!relative", lambda _loader, node: PythonTag("!relative"))
    return loader


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding mkdocs.yml, as git finds ``.git``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def _expanded_size(node: yaml.Node, seen: dict[int, int]) -> int:
    """Count the nodes a document holds once its aliases are expanded (shared nodes counted each time)."""
    found = seen.get(id(node))
    if found is not None:
        return found
    seen[id(node)] = MAX_EXPANDED_NODES + 1  # a node reached again while counting it is a cycle
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, seen) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, seen) + _expanded_size(v, seen) for k, v in node.value)
    else:
        size = 1
    seen[id(node)] = min(size, MAX_EXPANDED_NODES + 1)
    return seen[id(node)]


def _compose(path: Path, label: str) -> yaml.Node | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{label}: cannot be read: {exc.strerror}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{label}: is {len(data):,} bytes; the limit is {MAX_CONFIG_BYTES:,}")
    try:
        node = yaml.compose(data, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        raise ConfigError(f"{where}: error [config-syntax] {exc.problem or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: error [config-syntax] {str(exc).splitlines()[0]}") from None
    if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
        raise ConfigError(f"{label}: its aliases expand to more than {MAX_EXPANDED_NODES:,} values; write the values out instead of nesting aliases")
    return node


def _child(node: yaml.Node | None, key: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    return None, None


def _mark(node: yaml.Node | None) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else Mark(1, 1)


def _marked(value: object, node: yaml.Node | None) -> object:
    """Attach the positions of composed nodes to loaded values (MkDocs' loader keeps none)."""
    if isinstance(value, dict):
        result = MarkedDict(_mark(node))
        for key, item in value.items():
            key_node, value_node = _child(node, key) if isinstance(key, str) else (None, None)
            result.key_marks[key] = _mark(key_node or node)
            result.value_marks[key] = _mark(value_node or key_node or node)
            result[key] = _marked(item, value_node)
        return result
    if isinstance(value, list):
        result_list = MarkedList(_mark(node))
        children = node.value if isinstance(node, yaml.SequenceNode) else []
        for index, item in enumerate(value):
            child = children[index] if index < len(children) else None
            result_list.item_marks.append(_mark(child or node))
            result_list.append(_marked(item, child))
        return result_list
    return value


def _inherit_chain(path: Path, label: str) -> Iterator[tuple[Path, yaml.Node | None]]:
    """The config file and the files it INHERITs from, nearest first, each with its composed nodes."""
    seen = set()
    while path not in seen:
        seen.add(path)
        node = _compose(path, label if not seen - {path} else path.name)
        yield path, node
        _, parent = _child(node, "INHERIT")
        if not isinstance(parent, yaml.ScalarNode):
            return
        path = (path.parent / parent.value).resolve()


def load_config(root: Path) -> SiteConfig:
    """Read mkdocs.yml at the repository root (defaults without one); raise ConfigError with every problem."""
    path = root / CONFIG_FILE
    label = CONFIG_FILE
    if not path.is_file():
        return SiteConfig(root=root)
    chain = list(_inherit_chain(path, label))
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        with path.open("rb") as handle:
            raw = yaml_load(handle, safe_mkdocs_loader())
    except (ConfigurationError, yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{label}: cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{label}: must be a mapping of settings, such as site_name: Example status")
    extra = raw.get("extra")
    statusbook = extra.get("statusbook") if isinstance(extra, dict) else None
    where, node = label, None
    for file, composed in chain:  # the nearest file that sets extra.statusbook holds its keys' positions
        _, found = _child(_child(composed, "extra")[1], "statusbook")
        if found is not None:
            where, node = (label if file == path else os.path.relpath(file, root)), found
            break
    marked = _marked(statusbook, node) if statusbook is not None else None
    if statusbook is not None and not isinstance(marked, MarkedDict):
        raise ConfigError(f"{where}:{_mark(node).line}:{_mark(node).column}: error [type-mismatch] extra.statusbook must be a mapping of settings")
    config, problems = site_config(raw, marked, root, where)
    config, image_problems = with_brand_images(config, marked, where)
    problems += image_problems
    if any(p.is_error for p in problems):
        raise ConfigError.from_problems(problems)
    return config



def with_brand_images(config: SiteConfig, settings: MarkedDict | None, where: str) -> tuple[SiteConfig, list[Problem]]:
    """Read the logo and favicon files mkdocs.yml names, as incident files are read (no links, a size cap), and keep those safe to publish."""
    report = Reporter(where)
    root = config.root.resolve()
    images = []
    for role, rel in config.brand.sources:
        mark = settings.value_mark(role) if settings is not None else Mark(1, 1)
        if not (root / rel).parent.resolve().is_relative_to(root):  # a linked folder on the way out of the repository
            report.error(mark, "config-brand-image", f"{role} {rel} is reached through a link that leaves the repository; name the file itself")
            continue
        data, problem = read_source(root, rel, limit=MAX_IMAGE_BYTES)
        if problem is not None:
            report.error(mark, "config-brand-image", f"{role} {rel}: {problem.message}" if (root / rel).exists() or (root / rel).is_symlink() else f"{role} {rel} does not exist")
            continue
        reason = image_problem(rel, data)
        if reason is not None:
            report.error(mark, "config-brand-image", f"{role}: {reason}")
            continue
        images.append(brand_image(role, rel, data, media_type_of(rel)))
    return dataclasses.replace(config, brand=dataclasses.replace(config.brand, images=tuple(images))), report.problems
