"""Render a run trace (the JSONL events of :mod:`archon_code.architecture.trace`) for people."""

from __future__ import annotations

from typing import Iterable

from archon_code.textio import plural

__all__ = ["render_trace"]


def _preview(text: str, lines: int, width: int = 100) -> list[str]:
    rows = (text or "").strip("\n").splitlines()
    shown = ["      | " + row[:width] for row in rows[:lines]]
    if len(rows) > lines:
        shown.append(f"      | ... ({len(rows) - lines} more lines)")
    return shown


def _llm(e: dict, full: bool) -> list[str]:
    u = e.get("usage", {})
    head = (f"[{e['t']:7.1f}s] LLM  {e.get('tag', '')}  {e.get('model', '')} #{e.get('sample', 0)}  "
            f"tokens {u.get('prompt_tokens', 0)}+{u.get('completion_tokens', 0)}"
            + ("  (cached)" if e.get("cached") else "")
            + ("  stop " + " ".join(repr(s) for s in e["stop"]) if e.get("stop") else ""))
    out = [head]
    if full:
        for m in e.get("messages", []):
            out.append(f"    {m.get('role', '?')}:")
            out += _preview(str(m.get("content", "")), 10_000)
        out.append("    answer:")
    out += _preview(e.get("text", ""), 10_000 if full else 6)
    return out


def _execution(e: dict, full: bool) -> list[str]:
    head = f"[{e['t']:7.1f}s] EXEC {e.get('tag', '')}  {e.get('call', '')}"
    cached = f"; {e['cached']} of them from the execution cache" if e.get("cached") else ""
    if e.get("call") == "run_inputs":
        codes = [r.get("exit_code") for r in e.get("results", [])]
        return [f"{head}: {e['candidates'][0]} on {len(codes)} inputs, exit codes {codes}{cached}"]
    tests = e.get("tests", [])
    kinds = {}
    for t in tests:
        kinds[t.get("kind")] = kinds.get(t.get("kind"), 0) + 1
    out = [f"{head}: {plural(len(e.get('candidates', [])), 'candidate')} x {plural(len(tests), 'test')} "
           f"({', '.join(f'{v} {k}' for k, v in kinds.items())}){cached}"]
    for cid, v in e.get("verdicts", {}).items():
        out.append(f"    {cid:<32} {v.get('verdict'):<4} {' '.join(v.get('tests', []))}")
    if full:
        for i, t in enumerate(tests, 1):
            out.append(f"    test {i} ({t.get('kind')}, trust {t.get('trust')}, {t.get('source')}): "
                       f"input {t.get('input', '')[:60]!r} expected {str(t.get('output'))[:60]!r}")
    return out


def _layer(e: dict, full: bool) -> list[str]:
    u = e.get("usage", {})
    out = [f"[{e['t']:7.1f}s] == layer {e['index']} ({' + '.join(e.get('components', []))}) "
           f"{e.get('seconds', 0):.1f}s: {plural(len(e.get('candidates', [])), 'candidate')}, "
           f"{plural(e.get('tests', 0), 'generated test')}, {plural(e.get('failures', 0), 'failed call')}, "
           f"{plural(e.get('rejected', 0), 'garbage answer')}, {plural(u.get('calls', 0), 'call')} so far"]
    for c in e.get("candidates", []):
        out.append(f"    {c['id']:<32} {c.get('origin', ''):<40} public {c.get('public_passed')} "
                   f"evidence {c.get('evidence')}")
        if full:
            out += _preview(c.get("source", ""), 10_000)
    if e.get("ranking"):
        out.append(f"    ranking: {', '.join(e['ranking'])}")
    if e.get("verified") is not None:
        out.append(f"    verified: {', '.join(e['verified']) or '(none)'}")
    return out


def _start(e: dict, full: bool) -> list[str]:
    return [f"run {e.get('problem')}  architecture {e.get('architecture')}  model {e.get('model') or '(default)'}  "
            f"lang {e.get('lang')}  {plural(e.get('public_tests', 0), 'public test')}"]


def _end(e: dict, full: bool) -> list[str]:
    r = e.get("result", {})
    u = r.get("usage", {})
    program = r.get("program") or {}
    out = [f"[{e['t']:7.1f}s] END  program {program.get('id', '(none)')}  public {r.get('public_passed')}/"
           f"{r.get('public_total')}  calls {u.get('calls', 0)}  seconds {r.get('seconds')}"
           + ("  early exit" if r.get("early_exit") else "")
           + (f"  stopped by {r['stopped_by_budget']} budget" if r.get("stopped_by_budget") else "")]
    out += [f"    note: {n}" for n in r.get("notes", [])]
    if program:
        out += _preview(program.get("source", ""), 10_000 if full else 20)
    return out


def _error(e: dict, full: bool) -> list[str]:
    return [f"[{e['t']:7.1f}s] LLM  {e.get('tag', '')}  {e.get('model', '')} FAILED: {e.get('error', '')}"]


def _skipped(e: dict, full: bool) -> list[str]:
    return [f"[{e['t']:7.1f}s] SKIP {e.get('component', '')}: {e.get('reason', '')} (no model call)"]


_RENDER = {"run_start": _start, "llm_call": _llm, "llm_error": _error, "execution": _execution,
           "layer": _layer, "run_end": _end, "skipped": _skipped}


def render_trace(events: Iterable[dict], *, full: bool = False) -> str:
    """Readable text of a trace; ``full`` shows whole prompts, answers and programs."""
    lines: list[str] = []
    for event in events:
        render = _RENDER.get(event.get("event", ""))
        lines += render(event, full) if render else [f"[{event.get('t', 0):7.1f}s] {event.get('event')}"]
    return "\n".join(lines)
