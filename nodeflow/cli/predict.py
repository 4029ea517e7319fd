"""``nodeflow predict``: ask a (trained) graph about inputs of your own, in the data's own units.

The graph's recorded scaling is applied to the inputs and a numeric target's scaling is
undone on the outputs; classes are named. Nothing is trained or written.
"""
from __future__ import annotations

import csv
import json
import math

from ..errors import NodeflowError


def add_parser(sub) -> None:
    p = sub.add_parser("predict", help="the network's output for inputs of your own (raw units)")
    p.add_argument("file")
    p.add_argument("--input", action="append", default=[], metavar="X1,X2,...",
                   help="one input, its features separated by commas (repeat for more)")
    p.add_argument("--csv", help="a CSV file of inputs, one a row (a header is skipped; one extra last column "
                                 "is shown as the target)")
    p.add_argument("--json", action="store_true", help="one JSON object per input")
    p.set_defaults(fn=cmd_predict)


def _numbers(cells: list[str], where: str) -> list[float]:
    out = []
    for j, cell in enumerate(cells):
        try:
            v = float(cell)
        except ValueError:
            raise NodeflowError(f"{where}, value {j + 1}: {cell.strip()!r} is not a number") from None
        if not math.isfinite(v):
            raise NodeflowError(f"{where}, value {j + 1}: {cell.strip()} is not a finite number")
        out.append(v)
    return out


def _csv_rows(path: str, n_in: int) -> list[tuple[list[float], str | None]]:
    """(features, target text or None) of each row of a CSV of inputs."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [(i, [c.strip() for c in r]) for i, r in enumerate(csv.reader(f), 1) if any(c.strip() for c in r)]
    except OSError as e:
        raise NodeflowError(f"cannot read {path}: {e.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as e:
        raise NodeflowError(f"{path}: not a readable CSV text file ({e})") from None
    if rows and any(_is_text(c) for c in rows[0][1][:n_in]):
        rows = rows[1:]  # a header
    if not rows:
        raise NodeflowError(f"{path}: no inputs in the file")
    out = []
    for line, cells in rows:
        if len(cells) not in (n_in, n_in + 1):
            raise NodeflowError(f"{path} line {line}: {len(cells)} values, expected {n_in} features "
                                f"(and optionally the target)")
        out.append((_numbers(cells[:n_in], f"{path} line {line}"), cells[n_in] if len(cells) > n_in else None))
    return out


def _is_text(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return True
    return False


def cmd_predict(a) -> int:
    from ..document.files import load
    from ..run.probe import chosen_class, describe_output
    from ..run.session import Session

    if not a.input and not a.csv:
        raise NodeflowError("give --input X1,X2,... or --csv FILE")
    s = Session(load(a.file))
    data = s.prepare().data
    n_in = data.shapes[0]
    rows = [(_numbers(text.split(","), f"--input {text}"), None) for text in a.input]
    if any(len(x) != n_in for x, _ in rows):
        bad = next(text for text, (x, _) in zip(a.input, rows) if len(x) != n_in)
        raise NodeflowError(f"--input {bad}: {data.name} has {n_in} feature{'s' if n_in != 1 else ''} "
                            f"({', '.join(data.features)}), so give {n_in} number{'s' if n_in != 1 else ''}")
    if a.csv:
        rows += _csv_rows(a.csv, n_in)
    outputs = s.predict_raw([x for x, _ in rows])
    for (x, target), y in zip(rows, outputs):
        if a.json:
            record = {"input": x, "output": y.tolist()}
            if data.task == "class":
                record["class"] = data.classes[chosen_class(y)] if data.classes else chosen_class(y)
            if target is not None:
                record["target"] = target
            print(json.dumps(record), flush=True)
        else:
            told = f"  (target {target})" if target is not None else ""
            print(f"{', '.join(f'{v:g}' for v in x)} -> {describe_output(y, data)}{told}", flush=True)
    return 0
