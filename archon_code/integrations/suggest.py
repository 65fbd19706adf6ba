"""The suggest flow: run the tests, ask for fixes, verify every fix by re-running the
whole suite in the sandbox, rank, fuse, report.

Only a candidate that makes at least one failing test pass and leaves every passing test
passing (and adds no new failure) is ever suggested.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional, Sequence

from archon_code.errors import ConfigError, LLMError
from archon_code.integrations.fixer import FailingTest, Target, fuse_file, propose
from archon_code.integrations.locate import failing_test_source, implicated_files
from archon_code.integrations.models import ModelUnavailable, RejectedFix, SuggestConfig, SuggestReport, Verified
from archon_code.integrations.testrun import (
    SuiteRun,
    TestOutcome,
    is_pytest_command,
    run_suite,
)
from archon_code.integrations.workspace import (
    FilePatch,
    apply_patches,
    copy_repo,
    diff_size,
    scan_repo,
    sync_links,
)
from archon_code.llm.base import LLM, Usage
from archon_code.sandbox.base import Sandbox

__all__ = ["Suggester", "build_targets", "compare_runs"]

_PYTEST_ERRORS = {3: "pytest internal error", 4: "pytest usage error", 5: "no tests were collected"}


def compare_runs(before: SuiteRun, after: SuiteRun) -> tuple[list[str], list[str]]:
    """(tests fixed, tests broken) going from ``before`` to ``after``. A failure that is not a
    test (a collection error, the whole command) counts as fixed when it is gone and nothing
    fails; a passing test that disappears counts as broken, and so does any test failing
    after that did not fail before (new, or skipped before)."""
    after_by_id, failing_before = after.by_id(), set(before.failing_ids)
    clean = not after.failing_ids and after.exit_code == 0
    fixed = [
        t
        for t in before.failing_ids
        if (t in after_by_id and after_by_id[t].outcome == "passed")
        or (t not in after_by_id and "::" not in t and clean)
    ]
    broken = [t for t in before.passing_ids if t not in after_by_id or after_by_id[t].outcome != "passed"]
    broken += [t for t in after.failing_ids if t not in failing_before]
    return fixed, list(dict.fromkeys(broken))


def _error_text(outcome: TestOutcome, limit: int = 2500) -> str:
    text = outcome.details or outcome.message
    return text if len(text) <= limit else "...\n" + text[-limit:]


def build_targets(before: SuiteRun, root: Path, files: set[str], config: SuggestConfig,
                  links: Optional[dict[str, str]] = None) -> list[Target]:
    """Files to ask fixes for, with the failures implicating each: every failure's most
    likely file first, then second choices, at most ``config.max_targets``. A link is
    replaced by the file it resolves to (``links``)."""
    links = links or {}
    ranked: list[list[str]] = []
    failures: dict[str, list[FailingTest]] = {}
    for outcome in before.outcomes:
        if outcome.outcome not in ("failed", "error"):
            continue
        source = failing_test_source(root, outcome.id) if "::" in outcome.id else ""
        failure = FailingTest(id=outcome.id, error=_error_text(outcome), test_source=source)
        paths = list(dict.fromkeys(links.get(p, p) for p in implicated_files(outcome, root, files)))[:2]
        for rank, path in enumerate(paths):
            while len(ranked) <= rank:
                ranked.append([])
            ranked[rank].append(path)
            failures.setdefault(path, []).append(failure)
    order = list(dict.fromkeys(p for level in ranked for p in level))[: config.max_targets]
    return [
        Target(
            path=p,
            content=(root / p).read_text(encoding="utf-8", errors="replace"),
            failures=tuple(failures[p][: config.max_failures]),
        )
        for p in order
    ]


def _check_baseline(before: SuiteRun, config: SuggestConfig) -> None:
    if before.timed_out:
        raise ConfigError(
            f"--test-cmd {config.test_cmd!r} timed out after {config.timeout_s:g}s in the sandbox; raise --timeout"
        )
    if is_pytest_command(config.test_cmd) and before.exit_code in _PYTEST_ERRORS:
        why = f"{_PYTEST_ERRORS[before.exit_code]}: {_reason(before.output)}"
        raise ConfigError(f"--test-cmd {config.test_cmd!r}: {why}")
    if before.exit_code == 127:
        raise ConfigError(f"--test-cmd {config.test_cmd!r}: command not found in the sandbox")


def _reason(output: str) -> str:
    """The line of pytest's output that says what went wrong (the last one naming an error)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no output"])[-1][:200]


class Suggester:
    """Verified fix suggestions for a repository; receives its LLM and sandbox. One
    ``run`` at a time per instance (candidates of a run are verified concurrently)."""

    def __init__(
        self,
        llm: LLM,
        runner: Sandbox,
        config: Optional[SuggestConfig] = None,
        *,
        model: Optional[str] = None,
        progress: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.llm = llm
        self.runner = runner
        self.config = config or SuggestConfig()
        self.model = model or self.config.model or _default_model()
        self.progress = progress

    def run(self, repo: Path) -> SuggestReport:
        started = time.monotonic()
        repo = Path(repo).resolve()
        scan = scan_repo(repo, untracked=self.config.untracked)
        files = list(scan.files)
        for skipped in scan.skipped:
            self.progress(f"not copied: {skipped.path} ({skipped.reason})")
        usage_before = _usage(self.llm)
        with tempfile.TemporaryDirectory(prefix="archon-suggest-") as tmp:
            self._tmp, self._files, self._links = Path(tmp), set(files), dict(scan.links)
            base = self._tmp / "base"
            copy_repo(repo, base, files)
            self.progress(f"running {self.config.test_cmd!r} in the sandbox")
            before = run_suite(self.runner, base, self.config.test_cmd, self.config.timeout_s, self._files)
            _check_baseline(before, self.config)
            report = SuggestReport(
                status="passing", repo=str(repo), command=self.config.test_cmd, before=before, skipped=scan.skipped
            )
            if not before.ok:
                report = self._fix(base, report)
        usage = _usage(self.llm)
        spent = usage if usage_before is None else _minus(usage, usage_before)
        return report.model_copy(update={"usage": spent, "seconds": round(time.monotonic() - started, 3)})

    def _fix(self, base: Path, report: SuggestReport) -> SuggestReport:
        before = report.before
        self.progress(f"{len(before.failing_ids)} failing; asking {self.model} for fixes")
        targets = build_targets(before, base, self._files, self.config, self._links)
        try:
            candidates, notes = self._propose(targets)
        except LLMError as exc:
            raise ModelUnavailable(str(exc), before) from exc
        if not targets:
            notes.append("no repository file is implicated by the failures")
        self.progress(f"verifying {len(candidates)} candidate(s) against the whole suite")
        results = self._verify_many(base, before, candidates)
        verified = sorted((r for r in results if isinstance(r, Verified)), key=_rank_key)
        rejected = [r for r in results if isinstance(r, RejectedFix)]
        best = verified[0] if verified else None
        if best is not None and self.config.fuse:
            fused = self._fuse(base, before, verified, len(candidates))
            if isinstance(fused, Verified):
                verified = sorted([*verified, fused], key=_rank_key)
                best = verified[0]
            elif isinstance(fused, RejectedFix):
                rejected.append(fused)
        return report.model_copy(
            update={
                "status": "fixed" if best else "unfixed",
                "suggestion": best,
                "verified": tuple(verified),
                "rejected": tuple(rejected),
                "notes": tuple(notes),
            }
        )

    def _propose(self, targets: Sequence[Target]) -> tuple[list[tuple[str, str, tuple[FilePatch, ...]]], list[str]]:
        candidates, notes, errors = [], [], []
        for target in targets:
            try:
                contents = propose(
                    self.llm, self.model, target, samples=self.config.samples,
                    temperature=self.config.temperature, max_tokens=self.config.max_tokens,
                )
            except LLMError as exc:
                errors.append(exc)
                notes.append(f"model failed for {target.path}: {exc}")
                continue
            if not contents:
                notes.append(f"no usable answer for {target.path}")
            for k, content in enumerate(contents):
                patch = FilePatch(path=target.path, before=target.content, after=content)
                candidates.append((f"c{len(candidates) + 1}", f"fixer:{target.path}#{k}", (patch,)))
        if errors and len(errors) == len(targets):
            raise errors[0]
        return candidates, notes

    def _verify_many(self, base, before, candidates) -> list:
        with ThreadPoolExecutor(max_workers=self.config.workers) as pool:
            return list(pool.map(lambda c: self._verify(base, before, *c), candidates))

    def _verify(self, base: Path, before: SuiteRun, cid: str, origin: str, patches: tuple[FilePatch, ...]):
        diff = "".join(p.diff() for p in patches)
        size = diff_size(diff)
        scratch = self._tmp / cid
        copy_repo(base, scratch, sorted(self._files))
        apply_patches(scratch, patches)
        sync_links(scratch, self._links.items())
        after = run_suite(self.runner, scratch, self.config.test_cmd, self.config.timeout_s, self._files)
        fixed, broken = compare_runs(before, after)
        if after.timed_out:
            return RejectedFix(id=cid, origin=origin, reason="the test command timed out", diff_lines=size, diff=diff)
        if broken:
            reason = f"breaks {', '.join(broken[:3])}"
            return RejectedFix(id=cid, origin=origin, reason=reason, diff_lines=size, diff=diff)
        if not fixed:
            return RejectedFix(id=cid, origin=origin, reason="fixes no failing test", diff_lines=size, diff=diff)
        return Verified(
            id=cid, origin=origin, patches=patches, diff=diff, diff_lines=size, fixed=tuple(fixed), after=after
        )

    def _fuse(self, base: Path, before: SuiteRun, ranked: Sequence[Verified], count: int):
        chosen, covered = [], set()
        for v in ranked:
            if set(v.fixed) - covered:
                chosen.append(v)
                covered |= set(v.fixed)
        if len(chosen) < 2:
            return None
        self.progress(f"fusing {len(chosen)} verified fixes")
        versions: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        originals: dict[str, str] = {}
        for v in chosen:
            for p in v.patches:
                versions.setdefault(p.path, []).append((p.after, v.fixed))
                originals[p.path] = p.before
        patches = []
        for path, options in versions.items():
            try:
                content = options[0][0] if len(options) == 1 else fuse_file(
                    self.llm, self.model, path, originals[path], options, max_tokens=self.config.max_tokens
                )
            except LLMError as exc:
                return RejectedFix(id=f"c{count + 1}", origin="fuser", reason=f"model failed: {exc}")
            if content is None:
                return RejectedFix(id=f"c{count + 1}", origin="fuser", reason=f"could not combine fixes of {path}")
            patches.append(FilePatch(path=path, before=originals[path], after=content))
        return self._verify(base, before, f"c{count + 1}", "fuser", tuple(patches))


def _rank_key(v: Verified) -> tuple:
    return (-len(v.fixed), v.diff_lines, v.id)


def _default_model() -> str:
    from archon_code.llm import default_model

    return default_model()


def _usage(llm: LLM) -> Optional[Usage]:
    usage = getattr(llm, "usage", None)
    return usage if isinstance(usage, Usage) else None


def _minus(a: Usage, b: Usage) -> Usage:
    return Usage(**{k: getattr(a, k) - getattr(b, k) for k in Usage.model_fields})
