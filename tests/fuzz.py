"""A seeded generator of hostile inputs for the ``nodeflow`` command, and a harness that
runs it in this process.

``graph_cases``, ``csv_cases`` and ``argument_cases`` each return ``Case``s: files to
write into a fresh folder and the arguments to run there. ``run_case`` calls
``nodeflow.cli.main`` and returns what a user would see; ``problems`` says what is
wrong with it: an exception out of ``main`` (a traceback), an exit status other than
0, 2 or 3 (or gradcheck's 1 when backprop disagrees), a message of more than one line,
an overlong line, a Python warning.
The same seed gives the same cases.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import random
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nodeflow.cli import main

GRAPHS = Path(__file__).resolve().parent.parent / "graphs"
SEEDS = ("xor", "adding_neuron", "apples_oranges", "cross_entropy")  # small examples to mutate
MAX_LINE = 400  # characters in one line of a message

HOSTILE = [None, True, False, 0, 1, -1, 2, 0.5, -0.0, 2 ** 31, 2 ** 63, 2 ** 64, -2 ** 63 - 1, 10 ** 24, 10 ** 400,
           1e308, -1e308, 1e-320, float("nan"), float("inf"), -float("inf"), "", " ", "x", "0.5", "1", "xor",
           "9" * 5000, "\x00", "a\nb", "../../etc/passwd", "/", [], {}, [[]], [1], [1, 2, 3], [[1, 2], [3]],
           [1, "2"], [[0.5, 0.5], [0.5, 0.5]], [10 ** 6, 10 ** 6], [True, 1.0], {"a": 1}, {"builder": "mlp"},
           [[[[[[[[1]]]]]]]]]


@dataclass
class Case:
    name: str
    argv: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    then: list[str] | None = None  # run next when ``argv`` succeeds (the outcome is the last one's)


# -- graph files ------------------------------------------------------------------------

def _paths(doc) -> list[tuple]:
    """Every place in a document a value can be replaced (key paths), at most 5 levels down."""
    out = []

    def walk(v, path):
        out.append(path)
        if len(path) >= 5:
            return
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            walk(x, path + (k,))
    walk(doc, ())
    return out[1:]


def _set(doc, path, value, delete=False):
    target = doc
    for k in path[:-1]:
        target = target[k]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value


def _structural(rng: random.Random, doc: dict) -> tuple[str, bytes]:
    """A value replaced, a key deleted or added, a list entry duplicated."""
    doc = copy.deepcopy(doc)
    path = rng.choice(_paths(doc))
    what = rng.random()
    if what < 0.7:
        value = copy.deepcopy(rng.choice(HOSTILE))
        _set(doc, path, value)
        label = f"{'.'.join(map(str, path))}={str(value)[:20]!r}"
    elif what < 0.85:
        _set(doc, path, None, delete=True)
        label = f"del {'.'.join(map(str, path))}"
    else:
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        else:
            parent["unknown_" + str(rng.randint(0, 9))] = rng.choice(HOSTILE)
        label = f"dup {'.'.join(map(str, path))}"
    return label, json.dumps(doc).encode()


def _textual(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    """Bytes cut, flipped, inserted; a BOM; deep nesting; long literals; another encoding."""
    n = len(raw)
    kind = rng.randrange(8)
    if kind == 0:
        k = rng.randrange(n)
        return f"truncated at {k}", raw[:k]
    if kind == 1:
        k = rng.randrange(n)
        return f"byte {k} flipped", raw[:k] + bytes([raw[k] ^ rng.randrange(1, 256)]) + raw[k + 1:]
    if kind == 2:
        k = rng.randrange(n)
        return f"junk at {k}", raw[:k] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + raw[k:]
    if kind == 3:
        return "BOM", b"\xef\xbb\xbf" + raw
    if kind == 4:
        depth = rng.choice([40, 2000, 200000])
        return f"nested {depth}", raw.replace(b'"nodes": [', b'"nodes": ' + b"[" * depth, 1) + b"]" * depth
    if kind == 5:
        digits = rng.choice([19, 20, 4300, 4301, 100000])
        return f"{digits} digits", raw.replace(b'"seed": ', b'"seed": ' + b"7" * digits + b", \"x\": ", 1)
    if kind == 6:
        return "utf-16", raw.decode("utf-8").encode("utf-16")
    return "random bytes", bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))


def graph_cases(seed: int, n: int) -> list[Case]:
    """``n`` mutated graph files, each run by one of check, run, gradcheck and export."""
    rng = random.Random(seed)
    sources = {name: (GRAPHS / f"{name}.json").read_bytes() for name in SEEDS}
    commands = (["check", "g.json"], ["run", "g.json", "--epochs", "1", "--engine", "step"],
                ["gradcheck", "g.json", "--samples", "1"], ["export", "g.json", "-o", "out.py"],
                ["run", "g.json", "--epochs", "1", "--engine", "step", "--save", "g.json"])
    cases = []
    for i in range(n):
        name = rng.choice(SEEDS)
        raw = sources[name]
        if rng.random() < 0.7:
            label, data = _structural(rng, json.loads(raw))
        else:
            label, data = _textual(rng, raw)
        argv = list(commands[i % len(commands)])
        cases.append(Case(f"graph {i} {name} {label} | {' '.join(argv)}", argv, {"g.json": data}))
    return cases


# -- CSV files --------------------------------------------------------------------------

CELLS = ["0", "1", "0.5", "-3.25", "1e308", "-1e308", "1e-320", "nan", "inf", "-inf", "", " ", "x", "1_0",
         "0x10", "9" * 5000, "\x00", "1,5", '"2"', '"a,b"', "NA", "?", "1e999"]
LABELS = ["a", "b", "c", "0", "1", "2", "3.5", "nan", "", "\x00", "a\x00", "\x1b[31mred", "NA", "?", "x" * 5000,
          '"q,r"', "é", "\ufeff"]


def _csv_text(rng: random.Random) -> str:
    """Half the files are plain (numbers, a few labels); the rest have hostile cells, rows and endings."""
    if rng.random() < 0.5:
        return _plain_csv(rng)
    width = rng.choice([1, 2, 3, 4])
    rows = rng.choice([0, 1, 2, 3, 5, 20])
    lines = []
    if rng.random() < 0.4:
        lines.append(",".join(rng.choice(["a", "b", "", "\x00", "é", "x" * 200]) for _ in range(width)))
    numeric_target = rng.random() < 0.4
    for r in range(rows):
        cells = [rng.choice(CELLS) if rng.random() < 0.15 else repr(round(rng.uniform(-5, 5), 3))
                 for _ in range(width - 1)]
        target = repr(round(rng.uniform(0, 1), 4)) if numeric_target else rng.choice(LABELS[:4])
        if rng.random() < 0.1:
            target = rng.choice(LABELS)
        row = cells + [target]
        if rng.random() < 0.05:
            row = row[:-1] if rng.random() < 0.5 else row + ["extra"]
        lines.append(",".join(row))
        if rng.random() < 0.05:
            lines.append(rng.choice(["", ",,,", " ", "\r"]))
    end = rng.choice(["\n", "\r\n", "\r", ""])
    text = end.join(lines) + (end if rng.random() < 0.8 else "")
    return ("\ufeff" if rng.random() < 0.1 else "") + text


def _plain_csv(rng: random.Random) -> str:
    width, rows = rng.randint(2, 5), rng.randint(4, 40)
    numeric = rng.random() < 0.3
    header = [f"f{j}" for j in range(width - 1)] + ["target"] if rng.random() < 0.5 else []
    lines = [",".join(header)] if header else []
    for _ in range(rows):
        target = repr(round(rng.uniform(0, 1), 4)) if numeric else rng.choice(["a", "b", "c"])
        lines.append(",".join([repr(round(rng.uniform(-5, 5), 3)) for _ in range(width - 1)] + [target]))
    return "\n".join(lines) + "\n"


def csv_cases(seed: int, n: int) -> list[Case]:
    """``n`` CSV files, each given to ``new`` (the layers read from the file itself), then run."""
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        text = _csv_text(rng)
        data = text.encode("utf-8") if rng.random() < 0.95 else text.encode("latin-1", "replace") + b"\xff\xfe"
        cases.append(Case(f"csv {i}: {text[:60]!r}", ["new", "mlp", "--layers", "auto", "--data", "d.csv", "-o", "g.json"],
                          {"d.csv": data}, then=["run", "g.json", "--epochs", "1", "--engine", "step"]))
    return cases


# -- argument sets ------------------------------------------------------------------------

OPTION_VALUES = {
    "--epochs": ["0", "1", "2", "-1", "x", "1e3", "", "99999999999999999999999999"],
    "--samples": ["0", "1", "3", "-5", "x", "10000000000"],
    "--folds": ["-3", "0", "1", "2", "3", "1000"],
    "--lr": ["0.5", "0", "-1", "nan", "inf", "1e308", "x"],
    "--seed": ["0", "1", "-1", "99999999999999999999", "x"],
    "--split": ["0.5", "0", "1", "2", "nan", "-0.1"],
    "--layers": ["2,2,1", "2,1", "", ",", "2,,1", "2,0,1", "2,-1,1", "9" * 5000, "2,1000000000000,1", "2,2,2,2,1"],
    "--data": ["xor", "adding", "spiral", "", "/", "nope", "missing.csv", "d.csv", "folder"],
    "--activation": ["sigmoid", "tanh", "relu", "x", ""],
    "--init": ["uniform", "xavier", "x"],
    "-o": ["out.json", "", ".", "folder", "missing/out.json", "d.csv/out.json", "folder/"],
    "--save": ["saved.json", "", "folder", "missing/x.json", "g.json"],
    "--engine": ["fast", "step", "x"],
}
COMMAND_OPTIONS = {
    "new": ["--layers", "--data", "--activation", "--lr", "--split", "--seed", "--init", "--samples", "-o"],
    "run": ["--epochs", "--samples", "--save", "--lr", "--folds", "--engine", "--json"],
    "check": [],
    "gradcheck": ["--samples"],
    "export": ["-o"],
}
FILES = ["g.json", "missing.json", "folder", "d.csv", "broken.json", ""]


def argument_cases(seed: int, n: int) -> list[Case]:
    """``n`` argument sets: a command, its file, and a random handful of options and values."""
    rng = random.Random(seed)
    cases = []
    xor = (GRAPHS / "xor.json").read_bytes()
    for i in range(n):
        command = rng.choice(list(COMMAND_OPTIONS))
        argv = [command] + (["mlp"] if command == "new" else [rng.choice(FILES)])
        options = COMMAND_OPTIONS[command]
        for opt in rng.sample(options, rng.randint(0, len(options))):
            argv += [opt] if opt == "--json" else [opt, rng.choice(OPTION_VALUES[opt])]
        if command == "run" and "--epochs" not in argv and rng.random() < 0.9:
            argv += ["--epochs", "1"]
        if command == "run" and "--engine" not in argv:
            argv += ["--engine", "step"]
        files = {"g.json": xor, "broken.json": xor[:200], "d.csv": b"a,b,t\n0,0,x\n1,1,y\n0,1,y\n1,0,x\n",
                 "folder/keep": b""}
        cases.append(Case(f"args {i}: {' '.join(a[:30] for a in argv)}", argv, files))
    return cases


# -- running -------------------------------------------------------------------------

def run_case(case: Case, folder: Path) -> tuple[int, str, str, list[str]]:
    """Write the case's files into ``folder`` and run it there: (status, stdout, stderr, warnings)."""
    for name, data in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    argv = case.argv
    if "auto" in argv:
        argv = _fit_layers(argv, folder)
    code, out, err, seen = _main(argv, folder)
    if code == 0 and case.then:
        code, out2, err2, seen2 = _main(case.then, folder)
        out, err, seen = out + out2, err + err2, seen + seen2
    return code, out, err, seen


def _main(argv: list[str], folder: Path) -> tuple[int, str, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    with warnings.catch_warnings(record=True) as seen, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        os.chdir(folder)
        try:
            code = main(argv)
        except SystemExit as e:  # argparse: usage mistakes
            code = e.code
        finally:
            os.chdir(cwd)
    return code, out.getvalue(), err.getvalue(), [f"{w.category.__name__}: {w.message}" for w in seen]


def _fit_layers(argv: list[str], folder: Path) -> list[str]:
    """``--layers auto``: the sizes the data asks for (or 2,1 when it cannot be read: new says why)."""
    from nodeflow.data import load_data
    from nodeflow.errors import DataError

    try:
        d = load_data(str(folder / "d.csv"))
        layers = f"{d.shapes[0]},{d.shapes[1]}"
    except DataError:
        layers = "2,1"
    return [layers if a == "auto" else a for a in argv]


def problems(case: Case, code, out: str, err: str, seen: list[str]) -> list[str]:
    """What a user would call broken about this outcome."""
    found = []
    lines = err.splitlines()
    verdict = case.argv[0] == "gradcheck" and code == 1 and len(lines) == 1 and lines[0].startswith(
        "backprop disagrees")  # gradcheck's finding on a miswired graph, not a mistake
    if verdict:
        return [f"a Python warning: {w[:120]}" for w in seen]
    if code not in (0, 2, 3):
        found.append(f"exit status {code!r}")
    checking = case.argv[0] == "check"
    for line in lines:
        if "Traceback" in line:
            found.append("a traceback")
        if len(line) > MAX_LINE:
            found.append(f"a line of {len(line)} characters: {line[:80]!r}...")
        if not line.startswith("nodeflow: ") and not (checking and code == 2):
            found.append(f"stderr line without 'nodeflow: ': {line[:80]!r}")
    errors = [l for l in lines if l.startswith("nodeflow: error: ")]
    if code == 2 and not checking and (len(errors) != 1 or not lines[-1].startswith("nodeflow: error: ")):
        found.append(f"exit 2 should end with one error line, stderr: {err[:200]!r}")
    if code == 2 and checking and not lines:
        found.append("check exits 2 without saying why")
    if code == 0 and errors:
        found.append(f"an error but exit 0: {errors[0][:80]!r}")
    found += [f"a Python warning: {w[:120]}" for w in seen]
    return found
