"""``archon-code arch``: list, show and validate architectures."""

from __future__ import annotations

import click
import yaml

from archon_code.cli._common import echo_json


def _shape(config) -> str:
    return " -> ".join("+".join(c.type for c in layer) for layer in config.layers)


@click.group()
def arch() -> None:
    """List, show and validate architectures (presets or JSON/YAML files).

    \b
    Examples:
      archon-code arch list
      archon-code arch show codet
      archon-code arch validate my-arch.yaml --json
    """


@arch.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_(as_json: bool) -> None:
    """List the preset architectures: name, layer shape and description.

    \b
    Examples:
      archon-code arch list
      archon-code arch list --json
    """
    from archon_code.architecture import list_presets, load_architecture

    configs = [load_architecture(name) for name in list_presets()]
    if as_json:
        echo_json([{"name": c.name, "description": c.description, "layers": len(c.layers), "shape": _shape(c)}
                   for c in configs])
        return
    width = max(len(c.name) for c in configs)
    for config in configs:
        click.echo(f"{config.name:<{width}}  {_shape(config)}")
        click.echo(f"{'':<{width}}  {config.description}")


@arch.command()
@click.argument("name")
@click.option("--defaults", is_flag=True, help="Include every field, not just those set.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
def show(name: str, defaults: bool, as_json: bool) -> None:
    """Show architecture NAME (a preset or a file) in archon-code's config shape.

    \b
    Examples:
      archon-code arch show codet
      archon-code arch show full --defaults
      archon-code arch show my-arch.yaml --json
    """
    from archon_code.architecture import dump_architecture, load_architecture

    data = dump_architecture(load_architecture(name), defaults=defaults)
    if as_json:
        echo_json(data)
    else:
        click.echo(yaml.safe_dump(data, sort_keys=False).rstrip("\n"))


@arch.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def validate(file: str, as_json: bool) -> None:
    """Validate an architecture FILE (archon-code's or Archon's JSON/YAML shape).

    Exit 0 when valid; otherwise one line naming layer, component, field and value, exit 2.

    \b
    Examples:
      archon-code arch validate my-arch.yaml
      archon-code arch validate archon-config.json --json
    """
    from archon_code.architecture import dump_architecture, load_architecture

    config = load_architecture(file)
    for note in config.warnings:
        click.echo(f"warning: {note}", err=True)
    if as_json:
        echo_json({"valid": True, "file": file, "architecture": dump_architecture(config),
                   "warnings": list(config.warnings)})
    else:
        count = sum(len(layer) for layer in config.layers)
        click.echo(f"ok: {file}: {config.name} ({len(config.layers)} layers, {count} components: {_shape(config)})")
