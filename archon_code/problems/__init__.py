"""Problems: the file format, loaders for files and data sets, and output checkers."""

from archon_code.problems.checkers import check_output, compare_exact, compare_float, compare_tokens
from archon_code.problems.detect import accepts_several_answers, detect_checker, float_tolerance, is_interactive
from archon_code.problems.format import dump_problem, dump_problem_yaml, problem_from_dict, problem_to_dict
from archon_code.problems.loaders import load_problems, parse_ids, problem_files, select

__all__ = [
    "accepts_several_answers",
    "check_output",
    "compare_exact",
    "compare_float",
    "compare_tokens",
    "detect_checker",
    "dump_problem",
    "dump_problem_yaml",
    "float_tolerance",
    "is_interactive",
    "load_problems",
    "parse_ids",
    "problem_files",
    "problem_from_dict",
    "problem_to_dict",
    "select",
]
