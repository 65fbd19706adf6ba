"""``archon-code sandbox``: build the image, show status, remove leftovers."""

from __future__ import annotations

from typing import Optional

import click

from archon_code.cli._common import echo_json


@click.group()
def sandbox() -> None:
    """Build, inspect and clean the Docker sandbox.

    \b
    Examples:
      archon-code sandbox build --offline
      archon-code sandbox status
      archon-code sandbox prune
    """


@sandbox.command()
@click.option("--offline", is_flag=True,
              help="Build without a registry: debootstrap Debian from the host's apt mirror, then docker import "
                   "(needs root and debootstrap).")
@click.option("--mirror", default=None, envvar="ARCHON_CODE_DEBIAN_MIRROR",
              help="Debian mirror for --offline (default: the first one in /etc/apt/sources*). "
                   "Env: ARCHON_CODE_DEBIAN_MIRROR.")
@click.option("--force", is_flag=True, help="Rebuild even when the image exists.")
def build(offline: bool, mirror: Optional[str], force: bool) -> None:
    """Build the sandbox image (tag: archon-code-sandbox:<hash of sandbox/>).

    \b
    Examples:
      archon-code sandbox build              # docker build of sandbox/Dockerfile
      archon-code sandbox build --offline    # no registry needed
    """
    import docker.errors

    from archon_code.sandbox import build_image, build_image_offline, connect, default_image_tag

    client = connect()
    tag = default_image_tag()
    try:
        client.images.get(tag)
        if not force:
            click.echo(f"{tag} is already built (use --force to rebuild)")
            return
    except docker.errors.ImageNotFound:
        pass
    log = lambda line: click.echo(line, err=True)  # noqa: E731
    built = build_image_offline(client, mirror=mirror, log=log) if offline else build_image(client, log=log)
    click.echo(f"built {built}")


@sandbox.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(as_json: bool) -> None:
    """Show whether the engine answers, the image exists, and live sandbox containers.

    Exit 0 when the engine answers and the image is present, 1 otherwise. With the engine
    down the image is "unknown" (it cannot be looked up).

    \b
    Examples:
      archon-code sandbox status
      archon-code sandbox status --json
      DOCKER_HOST=tcp://127.0.0.1:2375 archon-code sandbox status
    """
    import docker.errors

    from archon_code.errors import SandboxUnavailableError
    from archon_code.sandbox import connect, default_image_tag
    from archon_code.sandbox.docker import LABEL, OWNER_LABEL

    info = {"engine": None, "image": default_image_tag(), "image_present": None, "containers": []}
    try:
        client = connect(timeout=10)
        info["engine"] = client.version().get("Version")
        info["image_present"] = False
        try:
            client.images.get(info["image"])
            info["image_present"] = True
        except docker.errors.ImageNotFound:
            pass
        info["containers"] = [{"id": c.short_id, "status": c.status, "owner": c.labels.get(OWNER_LABEL, "")}
                              for c in client.containers.list(all=True, filters={"label": LABEL})]
    except SandboxUnavailableError as exc:
        info["error"] = str(exc)
    if as_json:
        echo_json(info)
    else:
        click.echo(f"engine:     {info['engine'] or 'not answering: ' + info.get('error', '')}")
        state = {True: "present", False: "missing", None: "unknown: the engine does not answer"}[info["image_present"]]
        click.echo(f"image:      {info['image']} ({state})")
        click.echo(f"containers: {len(info['containers'])}")
        for c in info["containers"]:
            click.echo(f"  {c['id']}  {c['status']:<8} owner {c['owner']}")
    raise SystemExit(0 if info["engine"] and info["image_present"] else 1)


@sandbox.command()
@click.option("--all", "everything", is_flag=True, help="Also remove containers of live archon-code processes.")
def prune(everything: bool) -> None:
    """Remove sandbox containers left behind by crashed runs.

    Containers carry the labels archon-code.sandbox=1 and archon-code.owner=HOST:PID; only
    those whose owner process is gone are removed, unless --all.

    \b
    Examples:
      archon-code sandbox prune
      archon-code sandbox prune --all    # also running jobs of live processes
    """
    from archon_code.sandbox import connect, prune_containers

    removed = prune_containers(connect(), everything=everything)
    click.echo(f"removed {len(removed)} container(s)" + (": " + " ".join(removed) if removed else ""))
