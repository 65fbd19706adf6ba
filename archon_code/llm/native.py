"""Build the embedded model's llama.cpp (``xllamacpp``) for this machine's CPU.

The ``xllamacpp`` wheel on PyPI is portable: its CPU kernels stop at AVX2. On a CPU with
AVX-512 (this project's 2-core machine kind is a Sapphire Rapids Xeon) llama.cpp's AVX-512 /
VNNI kernels make batched decoding, where 4 samples of one prompt decode together, markedly
cheaper (figures in docs/models.md, ``bench/llm_throughput.py``). :func:`build` downloads the
source distribution of the *installed* ``xllamacpp`` version from PyPI, compiles it with the
instruction sets this CPU has, caches the wheel under ``<cache root>/native/`` and installs it
over the portable one (same version, so pip keeps it).

Decisions:

* Instruction sets are named explicitly (``GGML_NATIVE=OFF`` plus one ``GGML_<ISA>=ON`` per
  feature read from ``/proc/cpuinfo``) rather than ``-march=native``, so the wheel's name
  records what it needs and :func:`mismatch` can refuse to load it on a CPU that lacks one
  (an illegal instruction would kill the process with no message).
* AMX is never enabled, although this CPU has it: llama.cpp's AMX path segfaults in
  ``ggml_backend_amx_mul_mat`` on the shipped Q4_K_M weights (reproduced here at the first
  decode; upstream llama.cpp issue 20824, closed without a fix).
* llguidance (needs Rust and crates from the network) and BoringSSL (fetched with git) are
  off: archon-code uses neither grammars nor TLS on its loopback server.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Optional

from archon_code.errors import LLMError

__all__ = ["ISA_OPTIONS", "build", "built_features", "cmake_args", "cpu_flags", "mismatch", "wanted_features"]

_AVX512 = ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")  # what GGML_AVX512 compiles for
# llama.cpp's name for an instruction set (as in xllamacpp.get_system_info()), the /proc/cpuinfo
# flags it needs, and its CMake option; ordered as llama.cpp's CMake expects them.
ISA_OPTIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("SSE42", ("sse4_2",), "GGML_SSE42"),  # not reported by get_system_info
    ("AVX", ("avx",), "GGML_AVX"),
    ("AVX2", ("avx2",), "GGML_AVX2"),
    ("FMA", ("fma",), "GGML_FMA"),
    ("F16C", ("f16c",), "GGML_F16C"),
    ("BMI2", ("bmi2",), "GGML_BMI2"),
    ("AVX_VNNI", ("avx_vnni",), "GGML_AVX_VNNI"),
    ("AVX512", _AVX512, "GGML_AVX512"),
    ("AVX512_VBMI", (*_AVX512, "avx512vbmi"), "GGML_AVX512_VBMI"),
    ("AVX512_VNNI", (*_AVX512, "avx512_vnni"), "GGML_AVX512_VNNI"),
    ("AVX512_BF16", (*_AVX512, "avx512_bf16"), "GGML_AVX512_BF16"),
)
_ALWAYS_OFF = ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16", "LLAMA_LLGUIDANCE", "LLAMA_BUILD_BORINGSSL",
               "LLAMA_OPENSSL", "LLAMA_CURL")
_GAINS = ("AVX512", "AVX512_VNNI")  # what the portable wheel lacks and batching profits from


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags (empty when /proc/cpuinfo is missing or unreadable)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return frozenset()


def wanted_features(flags: frozenset[str]) -> list[str]:
    """The llama.cpp instruction sets a build for a CPU with ``flags`` enables."""
    return [name for name, needs, _ in ISA_OPTIONS if all(flag in flags for flag in needs)]


def cmake_args(features: list[str]) -> list[str]:
    on = set(features)
    args = ["-DGGML_NATIVE=OFF"]
    args += [f"-D{option}={'ON' if name in on else 'OFF'}" for name, _, option in ISA_OPTIONS]
    args += [f"-D{option}=OFF" for option in _ALWAYS_OFF]
    return args


def built_features(system_info: Optional[str] = None) -> set[str]:
    """The instruction sets the installed xllamacpp was compiled with (``AVX512 = 1 | ...``)."""
    if system_info is None:
        import xllamacpp

        system_info = xllamacpp.get_system_info()
    known = {name for name, _, _ in ISA_OPTIONS} | {"SSE3", "SSSE3", "AMX_INT8"}
    return {name for name, value in re.findall(r"([A-Z0-9_]+) = (\d)", system_info) if value == "1" and name in known}


def mismatch(flags: Optional[frozenset[str]] = None, system_info: Optional[str] = None) -> Optional[str]:
    """A one-line reason when the installed xllamacpp needs instructions this CPU lacks, else None."""
    flags = cpu_flags() if flags is None else flags
    if not flags:  # no /proc/cpuinfo (not Linux): nothing to check against
        return None
    needs = {name: req for name, req, _ in ISA_OPTIONS}
    missing = sorted(name for name in built_features(system_info) if name in needs
                     and not all(flag in flags for flag in needs[name]))
    if not missing:
        return None
    return (f"the installed xllamacpp was built for {', '.join(missing)}, which this CPU lacks; reinstall the "
            f"portable wheel: pip install --force-reinstall --no-deps --no-cache-dir --only-binary :all: "
            f"xllamacpp=={_installed_version()}")


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xllamacpp")
    except PackageNotFoundError:
        raise LLMError("the embedded model needs the local extra: pip install 'archon-code[local]'") from None


def _run(command: list[str], log: Callable[[str], None], env: Optional[dict] = None, cwd: Optional[Path] = None,
         output: Optional[Path] = None) -> None:
    """Run a build step; its output goes to ``output`` (a log file), a failure is one LLMError line."""
    log("$ " + " ".join(command))
    with open(output or os.devnull, "a") as sink:
        code = subprocess.call(command, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
    if code:
        where = f" (log: {output})" if output else ""
        raise LLMError(f"native build step failed with exit {code}: {' '.join(command[:4])} ...{where}")


def wheel_path(root: Path, version: str, features: list[str]) -> Path:
    digest = hashlib.sha256(" ".join(cmake_args(features)).encode()).hexdigest()[:10]
    return root / "native" / f"xllamacpp-{version}+{digest}" / "wheel"


def build(root: Path, *, jobs: Optional[int] = None, force: bool = False, install: bool = True,
          log: Callable[[str], None] = lambda line: None) -> Path:
    """Compile xllamacpp for this CPU, cache the wheel under ``root/native``, install it; returns the wheel.

    Needs a C++17 compiler, cmake and PyPI (the sdist and Cython). Raises LLMError with one line
    when the CPU has nothing the portable wheel lacks or a step fails.
    """
    if platform.system() != "Linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        raise LLMError("a native build is for x86-64 Linux; elsewhere the portable xllamacpp wheel is used")
    features = wanted_features(cpu_flags())
    if not any(name in features for name in _GAINS):
        raise LLMError("this CPU has no AVX-512: the portable xllamacpp wheel already uses every kernel it can run")
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise LLMError(f"a native build needs {tool} (Debian: apt-get install cmake g++)")
    version = _installed_version()
    folder = wheel_path(root, version, features)
    wheels = sorted(folder.glob("xllamacpp-*.whl")) if folder.is_dir() else []
    if wheels and not force:
        log(f"using the cached native wheel {wheels[-1]}")
    else:
        wheels = [_compile(folder, version, features, jobs or os.cpu_count() or 2, log)]
    if install:
        log(f"installing {wheels[-1].name} ({', '.join(features)})")
        _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheels[-1])], log)
        _check_installed(features)
    return wheels[-1]


def _compile(folder: Path, version: str, features: list[str], jobs: int, log: Callable[[str], None]) -> Path:
    folder.parent.mkdir(parents=True, exist_ok=True)
    build_log = folder.parent / "build.log"
    build_log.write_text("")
    with tempfile.TemporaryDirectory(prefix="xllamacpp-src-", dir=folder.parent) as tmp:
        log(f"downloading the xllamacpp {version} source from PyPI")
        # --no-binary for xllamacpp only: with ":all:" pip also compiles the build dependencies
        # (Cython: minutes on 2 cores) just to read the sdist's metadata
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", "xllamacpp", "-d", tmp,
              f"xllamacpp=={version}"], log, output=build_log)
        [sdist] = list(Path(tmp).glob("xllamacpp-*.tar.gz")) or [None]
        if sdist is None:
            raise LLMError(f"PyPI has no source distribution of xllamacpp {version}")
        env = dict(os.environ, CMAKE_ARGS=" ".join(cmake_args(features)), NPROC=str(jobs))
        env.pop("XLLAMACPP_RELEASE", None)
        log(f"compiling llama.cpp for {', '.join(features)} with {jobs} jobs (about 7 min on 2 cores; "
            f"log: {build_log})")
        staged = Path(tmp) / "out"
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-w", str(staged), str(sdist)],
             log, env=env, output=build_log)
        [wheel] = list(staged.glob("xllamacpp-*.whl")) or [None]
        if wheel is None:
            raise LLMError(f"the native build produced no wheel (log: {build_log})")
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        shutil.copy2(wheel, partial / wheel.name)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)  # a cached folder always holds a whole wheel
        return folder / wheel.name


def _check_installed(features: list[str]) -> None:
    """The freshly installed xllamacpp, imported in a new process, reports the instruction sets built."""
    probe = subprocess.run([sys.executable, "-c", "import xllamacpp; print(xllamacpp.get_system_info())"],
                           capture_output=True, text=True)
    if probe.returncode:
        raise LLMError(f"the native xllamacpp does not import: {probe.stderr.strip().splitlines()[-1:]}")
    missing = [name for name in features if name != "SSE42" and name not in built_features(probe.stdout)]
    if missing:
        raise LLMError(f"the native xllamacpp lacks {', '.join(missing)}: {probe.stdout.strip()}")
