"""Parsing test-generator answers; majority outputs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archon_code.components.testgen_parse import (
    majority,
    normalise_output,
    parse_asserts,
    parse_input_list,
    parse_literal_tests,
)


def test_literal_blocks_pair_inputs_with_predicted_outputs():
    text = ("Test 1:\n```input\n1 2\n```\n```output\n3\n```\nTest 2:\n```input\n4 4\n```\n"
            "Test 3:\n```input\n\n```\n```input\n0 0\n```\n```output\n0\n```")
    assert parse_literal_tests(text) == [("1 2\n", "3\n"), ("4 4\n", None), ("0 0\n", "0\n")]


def test_input_list_from_a_generator_program():
    assert parse_input_list('["1 2", "3 4\\n", 5, ""]') == ["1 2\n", "3 4\n"]
    assert parse_input_list("1 2\n") == ["1 2\n"]
    assert parse_input_list("  ") == []


def test_asserts_calling_the_entry_point():
    code = "from x import y\nassert add(1, 2) == 3\nassert other(1) == 2\nassert add(\n    2, 2) == 4\nprint(1)\n"
    assert parse_asserts(code, "add") == ["assert add(1, 2) == 3", "assert add(\n    2, 2) == 4"]
    assert parse_asserts("assert add(1, 2) == 3\nassert add(oops\n", "add") == ["assert add(1, 2) == 3"]


def test_majority_ignores_whitespace_and_ties_go_to_the_first():
    assert majority(["3\n", "3", "4"]) == ("3\n", 2)
    assert majority(["1", "2"]) == ("1", 1)
    assert majority([]) is None


@given(st.lists(st.sampled_from(["1", "1 ", "2", "2\n", "3"]), min_size=1, max_size=12))
def test_majority_count_is_the_largest_group(outputs):
    output, count = majority(outputs)
    groups = {}
    for o in outputs:
        groups[normalise_output(o)] = groups.get(normalise_output(o), 0) + 1
    assert count == max(groups.values()) == groups[normalise_output(output)]


def test_untagged_blocks_after_input_and_output_labels():
    text = ("Test case 1:\nInput:\n```\n3 4\n```\nOutput:\n```\n7\n```\n"
            "Here is code:\n```python\nprint(1)\n```\n**Input**\n```text\n9 9\n```\n")
    assert parse_literal_tests(text) == [("3 4\n", "7\n"), ("9 9\n", None)]
