"""``archon-code local``: the embedded model's llama.cpp build (portable or native to this CPU)."""

from __future__ import annotations

import click

from archon_code.cli._common import echo_json


@click.group()
def local() -> None:
    """Inspect the embedded model's llama.cpp, or build it for this CPU.

    \b
    Examples:
      archon-code local status
      archon-code local build          # AVX-512 kernels: faster batched sampling (docs/models.md)
    """


@local.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """Show the installed xllamacpp's instruction sets against what this CPU offers.

    Exit 0 when the installed build runs on this CPU, 1 when it needs instructions the CPU
    lacks (see the printed command), 2 without the [local] extra.

    \b
    Examples:
      archon-code local status
      archon-code local status --json
    """
    from archon_code.errors import LLMError
    from archon_code.llm import native

    try:
        import xllamacpp
    except ImportError:
        raise LLMError("the embedded model needs the local extra: pip install 'archon-code[local]'") from None
    built = native.built_features()
    cpu = native.wanted_features(native.cpu_flags())
    gains = [name for name in cpu if name not in built and name != "SSE42"]
    info = {"xllamacpp": xllamacpp.__version__, "built_for": sorted(built), "cpu_offers": cpu,
            "missing_from_build": gains, "runs_here": native.mismatch() is None}
    if as_json:
        echo_json(info)
    else:
        click.echo(f"xllamacpp:  {info['xllamacpp']}")
        click.echo(f"built for:  {', '.join(sorted(built)) or '-'}")
        click.echo(f"this CPU:   {', '.join(cpu) or 'unknown'}")
        if not info["runs_here"]:
            click.echo(f"error:      {native.mismatch()}")
        elif any(name in gains for name in native._GAINS):
            click.echo(f"faster:     `archon-code local build` adds {', '.join(gains)} (about 7 min on 2 cores)")
        else:
            click.echo("faster:     no: the installed build uses every kernel this CPU can run")
    raise SystemExit(0 if info["runs_here"] else 1)


@local.command()
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Compiler jobs (default: every core).")
@click.option("--force", is_flag=True, help="Recompile even when a cached wheel for this CPU exists.")
@click.option("--no-install", is_flag=True, help="Only build (or find) the wheel and print its path.")
def build(jobs, force: bool, no_install: bool) -> None:
    """Compile the installed xllamacpp version for this CPU's instruction sets and install it.

    The PyPI wheel stops at AVX2; on an AVX-512 CPU this build decodes 4 samples of one
    prompt markedly faster (docs/models.md). It downloads xllamacpp's source from PyPI, needs
    cmake and a C++17 compiler, and caches the wheel in <cache root>/native/ (a second build
    for the same CPU and version only reinstalls it). AMX stays off: llama.cpp's AMX kernels
    crash on the shipped weights. On a CPU without AVX-512 it says so and changes nothing.

    \b
    Examples:
      archon-code local build
      archon-code local build --no-install     # just the wheel, e.g. for a container image
    """
    from archon_code.llm import native
    from archon_code.llm.local import cache_root

    wheel = native.build(cache_root(), jobs=jobs, force=force, install=not no_install,
                         log=lambda line: click.echo(line, err=True))
    click.echo(str(wheel) if no_install else f"installed {wheel}")
