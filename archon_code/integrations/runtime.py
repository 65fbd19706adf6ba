"""Build the real collaborators of suggest/precommit: the sandbox (with the repository's
dependencies installed when it has any) and the LLM client."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from archon_code.integrations.deps import ensure_deps_image, read_requirements

__all__ = ["make_llm", "repo_sandbox"]


@contextmanager
def repo_sandbox(repo: Path, log: Callable[[str], None] = lambda line: None, *,
                 allow_direct: bool = False) -> Iterator[object]:
    """A started :class:`~archon_code.sandbox.DockerSandbox` for ``repo``'s tests: the
    sandbox image, or a derived image with the repository's requirements installed
    (direct URL/VCS requirements only with ``allow_direct``)."""
    from archon_code.sandbox import connect, open_sandbox

    image = open_sandbox().image
    if read_requirements(repo, allow_direct=allow_direct):
        image = ensure_deps_image(connect(), image, repo, log, allow_direct=allow_direct) or image
    with open_sandbox(image=image) as sandbox:
        yield sandbox


def make_llm(*, cache: bool = True, config=None):
    """The litellm-backed client (the embedded model starts on the first call); ``config``: an
    :class:`~archon_code.llm.client.LLMClientConfig` (endpoint, key, timeout, retries)."""
    from archon_code.llm import LLMClient

    return LLMClient(cache=cache, config=config)
