"""YAML loading that remembers line numbers, so checks can say "file:line: what to do"."""
from pathlib import Path
from typing import Any, Dict, Union

import yaml


class LineDict(dict):
    """A mapping from YAML that knows the (1-based) line of itself and of each key."""

    line: int = 0
    key_lines: Dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            self.construct_object(key_node, deep=deep): key_node.start_mark.line + 1
            for key_node, _ in node.value
        }
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)


def load_yaml(path: Union[str, Path]) -> Any:
    """Parses a YAML file; mappings come back as ``LineDict``. Raises ``yaml.YAMLError`` on bad syntax."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass


def line_of(mapping: Any, key: Any = None) -> int:
    """The line of ``key`` in ``mapping`` (or of the mapping itself); 0 when unknown."""
    if not isinstance(mapping, LineDict):
        return 0
    if key is None:
        return mapping.line
    return mapping.key_lines.get(key, mapping.line)
