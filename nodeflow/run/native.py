"""Machine code for a generated ``train``: compiled once, kept on disk, loaded without numba.

Compiling (numba imported): numba types the generated function and lowers it to LLVM
IR, but is not asked to optimise or load it; the kernels it calls (numba-compiled and
cached on disk one by one, as the stepper uses them) are linked in and marked to be
inlined at every call, a C entry point is added, and one LLVM pipeline optimises the
whole into one loop nest and compiles it for this processor. The object file is kept
in the cache folder, and only when everything it calls is in any Python process (the
C math library), so loading it never fails half way; where the system has a linker
(``cc``), it is also linked into a shared library. The object file carries its own
SHA-256 and the shared library's, so a damaged entry (truncated, overwritten, a byte
flipped) is never loaded: it is deleted and compiled again, with one line on stderr. A
lock per entry keeps processes sharing a cache from compiling it twice or deleting what
another has just written.

Loading: ctypes opens the shared library (or, without one, llvmlite, the code
generator numba itself uses, maps the object file into the process) and calls it: no
numba import, no numba start-up, no SciPy. The cache key covers the generated text,
the code of every kernel it calls, the numba and llvmlite versions and the processor,
so stale or foreign code is never loaded.
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import os
import platform
import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from ..nodes.kernel import cache_dir
from ..outputs import locked, remove, replace_bytes, say

ENTRY = "nodeflow_train"
MAGIC = b"nodeflow train 1\n"  # an object file in the cache: MAGIC, the shared library's and its own SHA-256, the code
NOT_LINKED = bytes(32)  # (no shared library beside it)
# LLVM's -O level. Measured (2 cores, medians of 5): -O2 trains seeds, XOR and the adding neuron as fast
# as -O3 and digits within 5 %, and optimises the seeds network in 0.37 s against -O3's 0.44 s;
# -O1 is 40 % slower on the adding neuron for 0.02 s less
OPT_LEVEL = 2
_LOCK = threading.Lock()
_loaded: dict[str, "Native"] = {}


@lru_cache(maxsize=1)
def _llvm():
    """llvmlite's binding, with the native target ready (once per process)."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return llvm


@lru_cache(maxsize=1)
def machine() -> str:
    """What compiled code depends on besides its source: the compilers' versions and the processor
    (read from files: importing numba or llvmlite to ask would cost what loading saves)."""
    parts = [platform.machine(), platform.system()]
    for package in ("numba", "llvmlite"):
        spec = importlib.util.find_spec(package)
        version = Path(spec.origin).with_name("_version.py") if spec and spec.origin else None
        parts.append(version.read_text() if version and version.exists() else package)
    try:
        info = Path("/proc/cpuinfo").read_text().split("\n\n")[0]
        parts += [line for line in info.splitlines() if line.split(":")[0].strip() in
                  ("vendor_id", "cpu family", "model", "model name", "flags", "Features", "CPU part")]
    except OSError:  # not Linux: ask LLVM
        llvm = _llvm()
        parts += [llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()]
    return "\n".join(parts)


class Native:
    """A loaded ``train``: call it with one address per pointer argument, then the counts. Like a
    numba dispatcher it has ``overloads`` (its one signature) and ``stats`` (cache hits, misses)."""

    def __init__(self, fn: Callable, arguments: tuple[str, ...], from_cache: bool):
        self._fn = fn
        self.overloads = {arguments: fn}
        self.stats = SimpleNamespace(cache_hits={arguments: int(from_cache)},
                                     cache_misses={arguments: int(not from_cache)})

    def __call__(self, *args) -> int:
        return self._fn(*args)


def load(text: str, pointers: int, counts: int, compile_text: Callable[[str], bytes], identity: str = "") -> Native:
    """The ``train`` that module ``text`` defines (``pointers`` addresses, then ``counts`` integers),
    from memory, from the disk cache, or compiled by ``compile_text``. ``identity``: anything else
    its code depends on (the code of the kernels it calls)."""
    key = hashlib.sha256(f"{text}\n{identity}\n{machine()}\n-O{OPT_LEVEL}\n".encode() + MAGIC).hexdigest()[:24]
    with _LOCK:
        if key in _loaded:
            return _loaded[key]
    folder = cache_dir()
    library, obj = folder / f"train_{key}.so", folder / f"train_{key}.o"
    with contextlib.suppress(OSError):  # (a folder that cannot be made: no lock, and no cache)
        folder.mkdir(parents=True, exist_ok=True)
    with locked(folder / f"train_{key}.lock"):  # another process compiling it: wait, then load its code
        found, damage = _cached(library, obj)
        cached = found is not None
        if found is None:
            found = _compiled(compile_text(text), library, obj)
        if damage:
            say(f"rebuilt the compiled code of this graph's training loop: its cache entry could not be read "
                f"({damage})")
    kinds = [ctypes.c_void_p] * pointers + [ctypes.c_int64] * counts
    fn = ctypes.CFUNCTYPE(ctypes.c_int64, *kinds)(found[0])
    fn.keep = found[1]  # the machine code lives as long as the function
    native = Native(fn, tuple(k.__name__ for k in kinds), cached)
    with _LOCK:
        _loaded[key] = native
    return native


def _cached(library: Path, obj: Path) -> tuple[tuple[int, object] | None, str | None]:
    """The entry point from the cache files (None when there are none) and, when they were there
    but could not be trusted (and so are deleted now), why."""
    try:
        blob = obj.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except OSError as e:
        return _discard(library, obj, f"{obj.name}: {e.strerror or e}")
    head = len(MAGIC) + 64
    payload, linked, digest = blob[head:], blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:head]
    if not blob.startswith(MAGIC) or hashlib.sha256(payload).digest() != digest:
        return _discard(library, obj, f"{obj.name}: {len(blob)} bytes, checksum wrong")
    try:
        if linked != NOT_LINKED and library.exists():
            if hashlib.sha256(library.read_bytes()).digest() != linked:
                return _discard(library, obj, f"{library.name}: checksum wrong")
            return _open(library), None
        return _map(payload), None
    except Exception as e:  # whatever loading raises: the entry is rebuilt
        return _discard(library, obj, f"{type(e).__name__}: {str(e).strip()[:80]}")


def _discard(library: Path, obj: Path, why: str) -> tuple[None, str]:
    for path in (library, obj):
        remove(path)
    return None, why


def _compiled(payload: bytes, library: Path, obj: Path) -> tuple[int, object]:
    """The entry point of freshly compiled code: written to the cache (the object file, checked by
    its digest, and the shared library linked from it), then loaded; mapped from memory when the
    cache cannot be written."""
    linked = None
    try:
        linked = _link(payload, library)
        digest = hashlib.sha256(linked.read_bytes()).digest() if linked else NOT_LINKED
        replace_bytes(obj, MAGIC + digest + hashlib.sha256(payload).digest() + payload)
        if linked:
            os.replace(linked, library)
    except OSError as e:
        say(f"cannot write the compiled-code cache in {obj.parent} ({e.strerror or e}); compiling without it",
            once=True)
        return _map(payload)
    finally:
        if linked:
            linked.unlink(missing_ok=True)
    try:
        return _open(library) if linked else _map(payload)
    except OSError:  # a folder the system will not load libraries from
        return _map(payload)


def _temporary(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def _link(payload: bytes, library: Path) -> Path | None:
    """The object code linked into a shared library beside ``library`` (a temporary name), when the
    system has a linker; else None."""
    linker = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if linker is None or platform.system() == "Windows":
        return None
    obj, tmp = _temporary(library.with_suffix(".o")), _temporary(library)
    obj.write_bytes(payload)  # (a cache that cannot be written: OSError, for the caller)
    try:
        done = subprocess.run([linker, "-shared", "-o", str(tmp), str(obj), "-lm"], capture_output=True, timeout=60)
        if done.returncode == 0 and tmp.exists():
            return tmp
    except (OSError, subprocess.SubprocessError):  # the linker would not run: the object file alone
        pass
    finally:
        obj.unlink(missing_ok=True)
    tmp.unlink(missing_ok=True)
    return None


def _open(library: Path) -> tuple[int, object]:
    """The entry point's address in a shared library, opened by ctypes."""
    lib = ctypes.CDLL(str(library))
    return ctypes.cast(getattr(lib, ENTRY), ctypes.c_void_p).value, lib


def _map(obj: bytes) -> tuple[int, object]:
    """The entry point's address in an object file mapped into this process by llvmlite."""
    llvm = _llvm()
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""),
                                        llvm.Target.from_default_triple().create_target_machine())
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    address = engine.get_function_address(ENTRY)
    if not address:
        raise RuntimeError("compiled training code has no entry point")
    return address, engine


# -- compiling (imports numba) ---------------------------------------------------------------

def compile_object(fn: Callable, argtypes: tuple) -> bytes:
    """Compile the Python function ``fn`` (returning an int64) for numba types ``argtypes``, every
    numba function it calls inlined, into an object file (see the module docstring)."""
    from numba import types
    from numba.core import compiler
    from numba.core.compiler_lock import global_compiler_lock
    from numba.core.registry import cpu_target

    llvm = _llvm()
    with global_compiler_lock:
        cpu_target.target_context.refresh()
        cpu_target.typing_context.refresh()
        flags = compiler.Flags()
        cpu_target.options.parse_as_flags(flags, {"nogil": True, "no_cpython_wrapper": True,
                                                  "no_cfunc_wrapper": True})
        flags.no_compile = True  # lowered to LLVM IR only: the optimising happens once, below
        library = cpu_target.target_context.codegen().create_library(fn.__qualname__)
        library._optimize_functions = lambda module: None  # (numba's per-function passes: redundant here)
        result = compiler.compile_extra(cpu_target.typing_context, cpu_target.target_context, fn, argtypes,
                                        types.int64, flags, {}, library=library)
        module = llvm.parse_assembly(str(library._final_module))
        for used in library._linking_libraries:
            module.link_in(used._get_module_for_linking(), preserve=True)
    return _object_code(module, result.fndesc.llvm_func_name)


def _object_code(module, inner: str) -> bytes:
    """The module with a C entry point calling ``inner`` (numba's calling convention: status =
    inner(&result, &exception, *args)), everything else inlined into it, optimised and compiled
    to position-independent code for this processor."""
    llvm = _llvm()
    fn = module.get_function(inner)
    types_ = [str(a.type) for a in fn.arguments][2:]
    params = ", ".join(f"{t} %a{k}" for k, t in enumerate(types_))
    entry = llvm.parse_assembly(f'''
declare i32 @"{inner}"(ptr, ptr, {", ".join(types_)})

define i64 @{ENTRY}({params}) {{
  %result = alloca i64
  %exception = alloca ptr
  store i64 0, ptr %result
  %status = call i32 @"{inner}"(ptr %result, ptr %exception, {params})
  %ok = icmp eq i32 %status, 0
  %value = load i64, ptr %result
  %out = select i1 %ok, i64 %value, i64 -1
  ret i64 %out
}}''')
    entry.triple, entry.data_layout = module.triple, module.data_layout
    module.link_in(entry)
    for g in module.functions:
        if not g.is_declaration and g.name != ENTRY:
            g.linkage = "internal"
            g.add_function_attribute("alwaysinline")
    for g in module.global_variables:
        if not g.is_declaration:
            g.linkage = "internal"
    tm = llvm.Target.from_triple(module.triple).create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=3, reloc="pic",
        codemodel="default")
    passes = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=OPT_LEVEL))
    optimise = passes.getModulePassManager()
    optimise.add_global_dead_code_eliminate_pass()
    optimise.add_strip_dead_prototype_pass()
    optimise.run(module, passes)
    _check_calls(module)
    return tm.emit_object(module)


def _check_calls(module) -> None:
    """Refuse code that calls anything a fresh Python process may not have (numba's runtime, say)."""
    process = ctypes.CDLL(None)
    for fn in module.functions:
        if fn.is_declaration and not fn.name.startswith("llvm."):
            try:
                getattr(process, fn.name)
            except AttributeError:
                raise RuntimeError(f"the compiled code calls {fn.name}, which a new process cannot load") from None
