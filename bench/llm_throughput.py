#!/usr/bin/env python3
"""Throughput of the embedded model, measured in one run on the same two prompts.

Prompts (rendered from prompts/*.j2 for one MBPP problem): ``statement`` (the generator
prompt) and ``repair`` (the fuser prompt: the problem, a candidate program and its failing
test). For each server setting it prints tokens/s and wall time of

* ``greedy``: one answer at temperature 0, for each prompt;
* ``seq4``: 4 samples (temperature 0.8, seeds 0..3) sent one after another;
* ``par4``: the same 4 samples sent at once as 4 requests (4 slots, each processes the prompt);
* ``n4``: the same 4 samples as one request with ``n=4`` (what archon-code sends: the prompt is
  processed once and the 4 answers decode in one batch);
* ``draft``: greedy with a 0.5B draft model (speculative decoding);
* ``ngram``: greedy with n-gram (prompt lookup) speculation;
* ``prefill``: prompt processing alone, a cold fuser prompt with four candidates answered with
  one token (its ``tok/s`` counts prompt tokens: what a critique-and-fuse layer waits for);
* ``fixed1`` / ``fixed4``: one sample, and 4 samples in one ``n=4`` request, each forced to
  exactly ``--fixed-tokens`` tokens (``ignore_eos``): what batching costs at equal lengths
  (``fixed4``'s ratio is to ``fixed1``, not to greedy);

and the ratios to the sequential baseline (one greedy answer without speculation), and
checks that speculative output is byte-identical to the baseline at temperature 0.
Every scenario starts from a cold prompt (a per-scenario marker heads the system prompt),
so the prompt is processed once per scenario and reuse inside it shows in ``prompt_n``.

    python bench/llm_throughput.py [--model qwen2.5-coder-1.5b] [--threads N] [--busy]
                                   [--repeat 2] [--problem Mbpp/2] [--fixed-tokens 128] [--json]
                                   [--spread N [--stop-fence]] [--repack on|off]

``--spread N`` adds, on the same server, ``greedy`` and ``n4`` on the statement prompts of the
next N MBPP problems and prints the issue's figure over all of them: the summed wall time of
4 concurrent samples over the summed wall time of one greedy answer (one problem's ratio
swings with how long its samples happen to come out; the sum over many does not).
``--stop-fence`` adds ``n4stop`` there: the same 4 samples stopped at the closing code fence
(``stop: ["\n```\n"]``), so they do not decode a trailing explanation or a block of asserts;
every spread line also counts the samples that hold a program (``extract_code``).

``--busy`` keeps one extra CPU-bound process running during the measurements (a machine where
the sandbox or another job uses a core). The load average is printed next to every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import archon_code  # noqa: E402,F401 - sets the litellm environment
from archon_code.components.base import render  # noqa: E402
from archon_code.components.feedback import FailureView  # noqa: E402
from archon_code.extract import PROGRAM_STOP, cut_at_stop, extract_code  # noqa: E402
from archon_code.llm.local import LocalServerConfig, _start_server, cache_root, materialize  # noqa: E402
from archon_code.problems import load_problems  # noqa: E402

MBPP = ROOT.parent / "shared" / "data" / "mbpp.jsonl"
ARGS = argparse.Namespace(repack=True)
"""The parsed options (``serve`` reads ``repack``)."""
SAMPLES = 4
PREFILL_ITEMS = 4
"""Candidates in the ``prefill`` row's fuser prompt (a long prompt, as a critique-and-fuse layer sends)."""
FENCE_STOP = PROGRAM_STOP
"""``--stop-fence``: what archon-code's program requests send (``archon_code.extract``)."""


def prompts(problem) -> dict[str, list[dict]]:
    """The statement (generator) and repair (fuser) prompts as chat messages."""
    system = render("system", lang="py", problem=problem)
    statement = render("generator", lang="py", problem=problem)
    source = problem.solutions[0].source.replace("\t", "    ")
    failure = FailureView(number=1, kind="public", verdict="WA", message="assertion failed",
                          input=problem.public_tests[0].input, expected=None, actual="", stderr="AssertionError")
    item = {"source": source, "passed": 0, "total": len(problem.public_tests), "critique": "",
            "failures": [failure]}
    repair = render("fuser", lang="py", problem=problem, items=[item], disagreements=[])
    fuse = render("fuser", lang="py", problem=problem, items=[item] * PREFILL_ITEMS, disagreements=[])
    return {name: [{"role": "system", "content": system}, {"role": "user", "content": text}]
            for name, text in (("statement", statement), ("repair", repair), ("fuse", fuse))}


def ask(base: str, messages: list[dict], *, temperature: float, seed: int, max_tokens: int, n: int = 1,
        ignore_eos: bool = False, stop: tuple[str, ...] = ()) -> dict:
    body = {"model": "m", "messages": messages, "temperature": temperature, "max_tokens": max_tokens,
            "seed": seed, "cache_prompt": True, **({"n": n} if n > 1 else {}),
            **({"ignore_eos": True} if ignore_eos else {}), **({"stop": list(stop)} if stop else {})}
    request = urllib.request.Request(f"{base}/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    answer = json.loads(urllib.request.urlopen(request, timeout=1800).read())
    timings = answer.get("timings", {})
    texts = [c["message"]["content"] for c in sorted(answer["choices"], key=lambda c: c["index"])]
    tokens = answer["usage"]["completion_tokens"] if n == 1 else sum(_count(base, t) for t in texts)
    return {"wall_s": time.monotonic() - started, "text": texts[0], "texts": texts,
            "completion_tokens": tokens, "prompt_n": timings.get("prompt_n"),
            "cached_n": timings.get("cache_n"), "draft_n": timings.get("draft_n"),
            "draft_accepted": timings.get("draft_n_accepted")}


def _count(base: str, text: str) -> int:
    request = urllib.request.Request(f"{base}/tokenize", data=json.dumps({"content": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    return len(json.loads(urllib.request.urlopen(request).read())["tokens"])


def marked(messages: list[dict], marker: str) -> list[dict]:
    """``messages`` with ``marker`` heading the system prompt (a cold prompt per scenario)."""
    first = dict(messages[0], content=f"[{marker}]\n{messages[0]['content']}")
    return [first, *messages[1:]]


def summary(name: str, answers: list[dict], wall: float) -> dict:
    tokens = sum(a["completion_tokens"] for a in answers)
    row = {"scenario": name, "wall_s": round(wall, 2), "tokens": tokens, "tok_s": round(tokens / wall, 2),
            "prompt_n": [a["prompt_n"] for a in answers], "draft": [a["draft_accepted"] for a in answers
                                                                   if a["draft_n"]] or None,
            "load": round(os.getloadavg()[0], 2)}
    print(json.dumps(row), file=sys.stderr, flush=True)  # progress: every figure as it is measured
    return row


def greedy(base: str, messages: list[dict], marker: str, max_tokens: int) -> tuple[dict, str]:
    """One answer at temperature 0; the prompt marker depends only on the repetition, so the
    baseline and the speculative servers see byte-identical prompts."""
    answer = ask(base, marked(messages, "g" + marker.split("/")[2]), temperature=0.0, seed=1,
                 max_tokens=max_tokens)
    return summary(marker, [answer], answer["wall_s"]), answer["text"]


def samples(base: str, messages: list[dict], marker: str, max_tokens: int, at_once: bool, n: int = 1,
            stop: tuple[str, ...] = ()) -> dict:
    msgs = marked(messages, marker.split("/")[0][0] + ("s" if stop else "") + marker.split("/")[2])
    started = time.monotonic()
    if n > 1:
        answer = ask(base, msgs, temperature=0.8, seed=0, max_tokens=max_tokens, n=n, stop=stop)
        row = summary(marker, [answer], time.monotonic() - started)
        row["programs"] = sum(extract_code(t).code is not None for t in answer["texts"])
        # would the stop string have lost anything? the program of each answer cut where it first occurs
        row["cut_same"] = sum(extract_code(cut_at_stop(t)).code == extract_code(t).code for t in answer["texts"])
        return row

    def one(seed: int) -> dict:
        return ask(base, msgs, temperature=0.8, seed=seed, max_tokens=max_tokens)

    if at_once:
        with ThreadPoolExecutor(SAMPLES) as pool:
            answers = list(pool.map(one, range(SAMPLES)))
    else:
        answers = [one(seed) for seed in range(SAMPLES)]
    return summary(marker, answers, time.monotonic() - started)


def fixed(base: str, messages: list[dict], marker: str, tokens: int, n: int) -> dict:
    """``n`` samples of exactly ``tokens`` tokens each, in one request (cold prompt)."""
    msgs = marked(messages, marker.split("/")[0] + marker.split("/")[2])
    started = time.monotonic()
    answer = ask(base, msgs, temperature=0.8, seed=0, max_tokens=tokens, n=n, ignore_eos=True)
    return summary(marker, [answer], time.monotonic() - started)


def prefill(base: str, messages: list[dict], marker: str) -> dict:
    """Prompt processing alone: a long cold prompt answered with one token (``tok/s`` counts
    prompt tokens)."""
    msgs = marked(messages, marker.replace("/", ""))
    answer = ask(base, msgs, temperature=0.0, seed=0, max_tokens=1)
    tokens = answer["prompt_n"] or 0
    row = {"scenario": marker, "wall_s": round(answer["wall_s"], 2), "tokens": tokens,
            "tok_s": round(tokens / answer["wall_s"], 2) if answer["wall_s"] else 0.0,
            "prompt_n": [tokens], "draft": None, "load": round(os.getloadavg()[0], 2)}
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def serve(path: Path, config: LocalServerConfig):
    server = _start_server(path, config.model_copy(update={"repack": ARGS.repack}), cache_root())
    base = server.listening_address
    ask(base, [{"role": "user", "content": "hi"}], temperature=0.0, seed=1, max_tokens=4)  # warm-up
    return server, base


def measure(path: Path, args, threads: int, rep: int) -> list[dict]:
    rows, baseline = [], {}
    plain = LocalServerConfig(threads=threads, parallel=SAMPLES, draft=None, ngram=False)
    server, base = serve(path, plain)
    for name in ("statement", "repair"):
        row, baseline[name] = greedy(base, args.prompts[name], f"greedy/{name}/{rep}", args.max_tokens)
        rows.append(row)
    rows.append(prefill(base, args.prompts["fuse"], f"prefill/fuse/{rep}"))
    rows.append(samples(base, args.prompts["statement"], f"seq4/statement/{rep}", args.max_tokens, False))
    rows.append(samples(base, args.prompts["statement"], f"par4/statement/{rep}", args.max_tokens, True))
    rows.append(samples(base, args.prompts["statement"], f"n4/statement/{rep}", args.max_tokens, True, n=SAMPLES))
    for n in (1, SAMPLES):
        rows.append(fixed(base, args.prompts["statement"], f"fixed{n}/statement/{rep}", args.fixed_tokens, n))
    for number, (pid, messages) in enumerate(args.spread_prompts.items()):
        tag = f"{rep}@{number + 1}"
        row, _ = greedy(base, messages, f"greedy/statement/{tag}", args.max_tokens)
        rows.append({**row, "problem": pid})
        row = samples(base, messages, f"n4/statement/{tag}", args.max_tokens, True, n=SAMPLES)
        rows.append({**row, "problem": pid})
        if args.stop_fence:
            row = samples(base, messages, f"n4stop/statement/{tag}", args.max_tokens, True, n=SAMPLES,
                          stop=FENCE_STOP)
            rows.append({**row, "problem": pid})
    del server
    variants = {"draft": plain.model_copy(update={"draft": args.draft}),
                "ngram": plain.model_copy(update={"ngram": True})}
    for label, config in ({} if args.no_speculation else variants).items():
        server, base = serve(path, config)
        for name in ("statement", "repair"):
            row, text = greedy(base, args.prompts[name], f"{label}/{name}/{rep}", args.max_tokens)
            row["identical"] = text == baseline[name]
            rows.append(row)
        del server
    for row in rows:
        row["threads"] = threads
    return rows


def spread(rows: list[dict], problem: str) -> str:
    """The issue's figure over every problem measured: sum of ``n4`` walls over sum of ``greedy``
    walls (and of ``n4stop``'s, with ``--stop-fence``), with how many of the samples held a program."""
    lines = []
    for threads in sorted({r["threads"] for r in rows}):
        walls: dict[tuple[str, str], dict] = {}
        for r in rows:
            kind, prompt, rep = r["scenario"].split("/")
            if r["threads"] == threads and prompt == "statement" and kind in ("greedy", "n4", "n4stop"):
                walls[(kind, f"{r.get('problem', problem)}#{rep.split('@')[0]}")] = r
        for kind in ("n4", "n4stop"):
            keys = sorted({key for _, key in walls if ("greedy", key) in walls and (kind, key) in walls})
            if len(keys) < 2:
                continue
            one = sum(walls[("greedy", k)]["wall_s"] for k in keys)
            four = sum(walls[(kind, k)]["wall_s"] for k in keys)
            each = sorted(walls[(kind, k)]["wall_s"] / walls[("greedy", k)]["wall_s"] for k in keys)
            tokens = sum(walls[(kind, k)]["tokens"] for k in keys)
            programs = sum(walls[(kind, k)].get("programs", 0) for k in keys)
            same = sum(walls[(kind, k)].get("cut_same", 0) for k in keys)
            lines.append(f"threads {threads}: {len(keys)} measurements (problem x repetition), "
                         f"4 concurrent samples ({kind}) {four:.1f} s against "
                         f"one greedy answer {one:.1f} s: {four / one:.2f}x (per problem: median "
                         f"{each[len(each) // 2]:.2f}x, range {each[0]:.2f}-{each[-1]:.2f}x); "
                         f"{tokens} sample tokens, {programs} of {SAMPLES * len(keys)} samples hold a program"
                         + (f", {same} give the same program when cut at the closing fence" if kind == "n4" else ""))
    return "\n".join(lines)


def ratios(rows: list[dict]) -> list[dict]:
    """Wall time of each scenario over the sequential baseline (greedy, same prompt, same threads)."""
    base = {(r["threads"], r["scenario"].split("/")[1], r["scenario"].split("/")[2]): r["wall_s"]
            for r in rows if r["scenario"].startswith("greedy/")}
    one = {(r["threads"], r["scenario"].split("/")[2]): r["wall_s"] for r in rows if r["scenario"].startswith("fixed1/")}
    out = []
    for r in rows:
        kind, prompt, rep = r["scenario"].split("/")
        if kind == "prefill":  # no sequential baseline: its figure is prompt tokens/s
            out.append({**r, "x_greedy_wall": "-"})
            continue
        ref = one[(r["threads"], rep)] if kind.startswith("fixed") else base[(r["threads"], prompt, rep)]
        out.append({**r, "x_greedy_wall": round(r["wall_s"] / ref, 2)})
    return out


def table(rows: list[dict]) -> str:
    lines = ["| threads | scenario | wall s | tokens | tok/s | x greedy wall | prompt tokens processed | "
             "draft accepted | identical | load |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        name = r["scenario"] + (f" ({r['problem']})" if "problem" in r else "")
        lines.append(f"| {r['threads']} | {name} | {r['wall_s']} | {r['tokens']} | {r['tok_s']} | "
                     f"{r['x_greedy_wall']} | {r['prompt_n']} | {r['draft'] or '-'} | "
                     f"{r.get('identical', '-')} | {r['load']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="a shipped model name or a GGUF file")
    parser.add_argument("--draft", default="qwen2.5-coder-0.5b")
    parser.add_argument("--threads", type=int, action="append", help="repeat to compare (default: 1 and 2)")
    parser.add_argument("--problem", default="Mbpp/2")
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--fixed-tokens", type=int, default=128, help="answer length of the fixed1/fixed4 rows")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--busy", action="store_true", help="keep one CPU-bound process running")
    parser.add_argument("--no-speculation", action="store_true", help="skip the draft and n-gram servers")
    parser.add_argument("--spread", type=int, default=0, metavar="N",
                        help="also greedy and n4 on the next N MBPP problems, and their summed ratio")
    parser.add_argument("--stop-fence", action="store_true",
                        help="with --spread: also n4 stopped at the closing code fence (n4stop)")
    parser.add_argument("--repack", choices=("on", "off"), default="on",
                        help="llama.cpp's repacked weight layouts (LocalServerConfig.repack; default on)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    everything = load_problems(MBPP)
    ids = [p.id for p in everything]
    if args.problem not in ids:
        parser.error(f"no problem {args.problem} in {MBPP}")
    problem = everything[ids.index(args.problem)]
    args.prompts = prompts(problem)
    start = ids.index(args.problem) + 1
    args.spread_prompts = {p.id: prompts(p)["statement"] for p in everything[start:start + args.spread]}
    path = Path(args.model).resolve() if args.model.endswith(".gguf") else materialize(args.model)
    ARGS.repack = args.repack = args.repack == "on"
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        rows = [row for rep in range(args.repeat) for threads in (args.threads or [1, 2])
                for row in measure(path, args, threads, rep)]
    finally:
        if busy is not None:
            busy.kill()
    rows = ratios(rows)
    import xllamacpp

    header = (f"model {args.model}, repack {'on' if args.repack else 'off'}, problem {args.problem}, "
              f"max_tokens {args.max_tokens}, busy={args.busy}, "
              f"cores {os.cpu_count()}, load at end {os.getloadavg()}\n"
              f"llama.cpp {xllamacpp.get_system_info().strip()}")
    overall = spread(rows, args.problem)
    print(json.dumps({"header": header, "rows": rows, "spread": overall}, indent=1) if args.json
          else header + "\n\n" + table(rows) + ("\n\n" + overall if overall else ""))


if __name__ == "__main__":
    main()
