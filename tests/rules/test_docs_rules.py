"""docs/rules.md is the project's own specification: these tests keep it true to the engine.

The worked example is executed, the warning-code table must list exactly the engine's codes, and every row
of the built-in parameter table must appear in the document's tables.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from conventions.checkio import decode_json
from conventions.rules import BUILTIN_PARAMETERS, WarningCode, evaluate, parse_check_input

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _section(title: str) -> str:
    text = _text()
    start = text.index(title)
    following = text.find("\n## ", start + len(title))
    return text[start : following if following != -1 else len(text)]


def test_worked_example_is_what_the_engine_answers() -> None:
    blocks = re.findall(r"```json\n(.*?)```", _section("## 7. Worked example"), re.DOTALL)
    assert len(blocks) == 2, "the worked example has one input and one output block"
    given, expected = (decode_json(block) for block in blocks)
    inp = parse_check_input(given, default_today=date(2000, 1, 1))
    assert json.loads(json.dumps(evaluate(inp).to_json())) == json.loads(json.dumps(expected, default=str))


def test_warning_code_table_lists_exactly_the_engine_codes() -> None:
    table = _section("### 6.4 Warning codes")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.MULTILINE))
    assert documented == {code.value for code in WarningCode}


def test_every_builtin_parameter_row_is_in_the_document() -> None:
    money = _section("## 3. Money")
    for row in BUILTIN_PARAMETERS:
        lines = [line for line in money.splitlines() if line.startswith(f"| {row.effective_from}")]
        found = any(f"| {row.value} |" in line for line in lines)
        assert found, f"{row.key} {row.effective_from} {row.value} missing from §3.1"


def test_the_document_stands_alone() -> None:
    assert "../shared" not in _text()
