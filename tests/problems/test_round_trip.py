"""Round-trip public tests for inverse functions (archon_code.problems.round_trip)."""

import json

import pytest

from archon_code.problems import load_problems
from archon_code.problems.round_trip import INPUTS, round_trip_test
from archon_code.types import Candidate, Verdict

# A problem of our own in HumanEval's shape: the forward function is given, its inverse asked.
PROMPT = '''

def encode_swap(s: str):
    """Swaps each pair of neighbouring characters."""
    chars = list(s)
    for i in range(0, len(chars) - 1, 2):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def decode_swap(s: str):
    """Takes a string made by encode_swap and returns the original."""
'''
RECORD = {"id": "Own/swap", "prompt": PROMPT, "entry_point": "decode_swap",
          "test": "def check(candidate):\n    assert candidate('ba') == 'ab'\n",
          "canonical_solution": "    return encode_swap(s)\n"}


def test_inverse_pairs_get_a_round_trip():
    test = round_trip_test(PROMPT, "decode_swap")
    assert test == ("def check(candidate):\n"
                    f"    for text in {list(INPUTS)!r}:\n"
                    "        assert candidate(encode_swap(text)) == text, text\n\n"
                    "check(decode_swap)\n")
    # never the other way round: with the decoder given and the encoder asked, a decoder fed
    # arbitrary words may raise or mean nothing, so decode-then-encode is no test
    other = ('def decrypt_note(s):\n    return s[1:] + s[:1]\n\n\n'
             'def encrypt_note(s):\n    """The inverse of decrypt_note."""\n')
    assert round_trip_test(other, "encrypt_note") is None
    assert "assert candidate(encrypt_note(text)) == text" in round_trip_test(
        other.replace("decrypt_note", "X").replace("encrypt_note", "decrypt_note").replace("X", "encrypt_note"),
        "decrypt_note")


@pytest.mark.parametrize("prompt, entry", [
    (PROMPT, "encode_swap"),  # the forward function has no inverse defined with a body
    (PROMPT.replace("decode_swap", "undo_swap"), "undo_swap"),  # not an inverse pair of names
    (PROMPT.replace("def encode_swap(s: str):", "def encode_swap(s: list):"), "decode_swap"),  # not a string
    (PROMPT.replace("def encode_swap(s: str):", "def encode_swap(s, k):"), "decode_swap"),  # two arguments
    (PROMPT.replace("def decode_swap(s: str):", "def decode_swap(s, key):"), "decode_swap"),
    ('def encode_swap(s):\n    """Doc only."""\n\ndef decode_swap(s):\n    """Inverse."""\n', "decode_swap"),
    ("def decode_swap(s:\n", "decode_swap"),  # does not parse
])
def test_no_round_trip_without_a_clear_inverse(prompt, entry):
    assert round_trip_test(prompt, entry) is None


def test_loaded_problem_has_the_round_trip_as_a_public_test(tmp_path):
    path = tmp_path / "own.jsonl"
    path.write_text(json.dumps(RECORD) + "\n")
    (problem,) = load_problems(path)
    assert [t.input for t in problem.public_tests] == [round_trip_test(PROMPT, "decode_swap")]
    assert problem.public_tests[0].source == "problem"


def test_round_trip_separates_right_and_wrong_inverses_in_the_sandbox(judge, tmp_path):
    path = tmp_path / "own.jsonl"
    path.write_text(json.dumps(RECORD) + "\n")
    (problem,) = load_problems(path)
    right = Candidate(id="right", source=PROMPT + "    return encode_swap(s)\n")
    # plausible wrong inverses: identity, reversal, and one that is right except on odd lengths
    wrong = [Candidate(id="identity", source="def decode_swap(s):\n    return s\n"),
             Candidate(id="reverse", source="def decode_swap(s):\n    return s[::-1]\n"),
             Candidate(id="odd", source=(
                 "def decode_swap(s):\n    c = list(s)\n    for i in range(0, len(c) - 1, 2):\n"
                 "        c[i], c[i + 1] = c[i + 1], c[i]\n"
                 "    return ''.join(c) if len(c) % 2 == 0 else ''.join(c)[:-1] + 'x'\n"))]
    results = judge.judge_many(problem, [right, *wrong], problem.public_tests)
    assert [r.verdict for r in results] == [Verdict.AC, Verdict.WA, Verdict.WA, Verdict.WA]
