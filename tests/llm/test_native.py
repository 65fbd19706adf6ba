"""The native llama.cpp build: which instruction sets it asks for, and refusing a build the CPU cannot run."""

from __future__ import annotations

import json
import os

import pytest

from archon_code.errors import LLMError
from archon_code.llm import native
from tests.support.cli import run_main

SAPPHIRE = frozenset("fpu sse4_2 avx avx2 fma f16c bmi2 avx_vnni avx512f avx512cd avx512vl avx512dq avx512bw "
                     "avx512vbmi avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16".split())
HASWELL = frozenset("fpu sse4_2 avx avx2 fma f16c bmi2".split())
PORTABLE_INFO = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | OPENMP = 1 |"
NATIVE_INFO = PORTABLE_INFO + " AVX512 = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 0 |"


def test_cpu_flags_come_from_the_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu avx2 avx512f\nbugs\t\t: spectre_v1\n")
    assert native.cpu_flags(info) == {"fpu", "avx2", "avx512f"}
    assert native.cpu_flags(tmp_path / "missing") == frozenset()
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00flags: avx\n")
    assert native.cpu_flags(tmp_path / "binary") == frozenset()  # no line *starts* with flags: nothing claimed


def test_an_avx2_cpu_gets_no_avx512_and_a_partial_avx512_none_either():
    assert "AVX512" not in native.wanted_features(HASWELL)
    assert native.wanted_features(HASWELL)[:3] == ["SSE42", "AVX", "AVX2"]
    # avx512f with VNNI but without BW/DQ/VL: GGML_AVX512 compiles for all five, so none of them
    assert not any(n.startswith("AVX512") for n in native.wanted_features(HASWELL | {"avx512f", "avx512_vnni"}))
    assert {"AVX512", "AVX512_VNNI", "AVX512_BF16", "AVX512_VBMI", "AVX_VNNI"} <= set(native.wanted_features(SAPPHIRE))


def test_amx_stays_off_even_on_a_cpu_that_has_it():
    args = native.cmake_args(native.wanted_features(SAPPHIRE))
    assert "-DGGML_AMX_INT8=OFF" in args and "-DGGML_AMX_TILE=OFF" in args and "-DGGML_AMX_BF16=OFF" in args
    assert "-DGGML_NATIVE=OFF" in args and "-DGGML_AVX512=ON" in args
    assert "-DGGML_AVX512=OFF" in native.cmake_args(native.wanted_features(HASWELL))
    assert not any("=ON" in a and "AMX" in a for a in args)


def test_built_features_read_only_enabled_instruction_sets():
    assert native.built_features(NATIVE_INFO) == {"SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2", "AVX512",
                                                  "AVX512_VNNI"}
    assert "OPENMP" not in native.built_features(NATIVE_INFO)


def test_a_native_build_on_a_cpu_without_its_instructions_is_refused_with_the_fix():
    reason = native.mismatch(HASWELL, NATIVE_INFO)
    assert reason and "AVX512, AVX512_VNNI" in reason and "pip install --force-reinstall" in reason
    assert "\n" not in reason
    assert native.mismatch(SAPPHIRE, NATIVE_INFO) is None
    assert native.mismatch(HASWELL, PORTABLE_INFO) is None
    assert native.mismatch(frozenset(), NATIVE_INFO) is None  # no /proc/cpuinfo: nothing to check


def test_build_says_in_one_line_when_it_cannot_help(monkeypatch, tmp_path):
    monkeypatch.setattr(native, "cpu_flags", lambda: HASWELL)
    with pytest.raises(LLMError, match="no AVX-512"):
        native.build(tmp_path)
    monkeypatch.setattr(native, "cpu_flags", lambda: SAPPHIRE)
    monkeypatch.setattr(native.shutil, "which", lambda tool: None if tool == "cmake" else "/usr/bin/" + tool)
    with pytest.raises(LLMError, match="needs cmake"):
        native.build(tmp_path)
    assert not (tmp_path / "native").exists()


def test_a_cached_wheel_for_this_cpu_is_reused_not_recompiled(monkeypatch, tmp_path):
    pytest.importorskip("xllamacpp")
    monkeypatch.setattr(native, "cpu_flags", lambda: SAPPHIRE)
    monkeypatch.setattr(native.shutil, "which", lambda tool: "/usr/bin/" + tool)
    folder = native.wheel_path(tmp_path, native._installed_version(), native.wanted_features(SAPPHIRE))
    folder.mkdir(parents=True)
    wheel = folder / "xllamacpp-0-cp310-abi3-linux_x86_64.whl"
    wheel.write_bytes(b"not really a wheel")
    monkeypatch.setattr(native, "_compile", lambda *a, **k: pytest.fail("recompiled although a wheel is cached"))
    assert native.build(tmp_path, install=False) == wheel
    # another instruction-set choice is another folder: it is not taken for this one
    assert native.wheel_path(tmp_path, "1", native.wanted_features(HASWELL)) != folder


def test_the_installed_build_runs_on_this_cpu():
    from tests.conftest import require_model

    require_model()
    assert native.mismatch() is None
    if os.environ.get("ARCHON_CODE_REQUIRE_NATIVE") == "1" and "AVX512" in native.wanted_features(native.cpu_flags()):
        assert "AVX512" in native.built_features(), ".ci/setup should have installed the native build"


def test_the_model_server_refuses_a_build_this_cpu_cannot_run(monkeypatch, tmp_path):
    from tests.conftest import require_model

    require_model()
    from archon_code.llm import local

    monkeypatch.setattr(native, "cpu_flags", lambda: frozenset({"fpu", "sse4_2"}))  # a CPU without AVX
    with pytest.raises(LLMError, match="this CPU lacks; reinstall"):
        local._start_server(tmp_path / "never-loaded.gguf", local.LocalServerConfig())


def test_local_status_compares_the_build_with_the_cpu(monkeypatch, capsys):
    from tests.conftest import require_model

    require_model()
    code, out, _ = run_main(monkeypatch, capsys, "local", "status", "--json")
    info = json.loads(out)
    assert code == 0 and info["runs_here"] is True and "AVX2" in info["built_for"]
    monkeypatch.setattr(native, "cpu_flags", lambda: frozenset({"fpu", "sse4_2"}))
    code, out, _ = run_main(monkeypatch, capsys, "local", "status")
    assert code == 1 and "error:" in out and "pip install --force-reinstall" in out
