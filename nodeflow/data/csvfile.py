"""CSV data files: numeric feature columns, then the target (class labels or a number).

A header row is optional. Class labels are one-hot encoded; features and numeric
targets are read as they are (``dataset`` scales them as the ``scale`` setting says).

The file is read in chunks of lines straight into one float64 array, sized from the
file's line count and checked against the memory ceiling first: numpy parses a chunk
of plain lines in C, and a chunk with anything unusual in it (quotes, blank rows, a
bad cell) is read row by row with Python's csv module, which also names the line and
column of a mistake. Either way the numbers are the same as ``float(cell)`` gives.
"""
from __future__ import annotations

import csv
import math
import os
import stat
import unicodedata
from itertools import repeat
from operator import itemgetter

import numpy as np

from ..errors import DataError
from ..limits import MAX_CLASSES, brief, check_floats, cut

MAX_AUTO_CLASSES = 10  # a numeric last column with at most this many whole values is a class label
CHUNK = 1 << 20  # characters of whole lines read at a time (the only per-line Python objects)
MISSING = {"", "nan", "na", "n/a", "nul", "null", "none", "?", "-", "--", "missing"}  # in a column of numbers


def read_csv(path: str, target: str = "auto"):
    """Parse a CSV file into (X, T, task, classes, features), raw numbers."""
    name = os.path.basename(path)
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except IsADirectoryError:
        raise DataError(f"{name}: is a folder, not a CSV file") from None
    except OSError as e:
        raise DataError(f"cannot read data file {name!r}: {e.strerror}") from None
    with f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise DataError(f"{name}: is not a regular file")
        reader = _Reader(name, target, _count_lines(f))
        try:
            reader.read(f)
        except (UnicodeDecodeError, csv.Error) as e:
            raise DataError(f"{name}: not a readable CSV text file ({brief(str(e), 80)})") from None
    return reader.result()


def _count_lines(f) -> int:
    """Lines in the file (an upper bound on its rows), counted in binary without decoding."""
    n = 1
    with open(f.name, "rb") as raw:
        while block := raw.read(CHUNK):
            n += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
    return n


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def clean(text: str) -> str:
    """``text`` without control characters (NUL, escapes, ...), stripped."""
    if text.isprintable():
        return text.strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


class _Reader:
    """Rows go into ``X`` (features) and the target's numbers ``tnum`` or label ids ``ids``."""

    def __init__(self, name: str, target: str, max_rows: int):
        self.name, self.target, self.max_rows = name, target, max_rows
        self.width = 0
        self.features: list[str] = []
        self.n = 0
        self.X = self.tnum = self.ids = None
        self.labels: dict[str, int] | None = {}  # raw label -> id; None once more than MAX_CLASSES
        self.first_line: dict[str, int] = {}  # raw label -> the line it first appears on
        self.numeric = True  # every target so far is a finite number
        self.numbers_or_missing = True  # every target so far is a number or a missing marker
        self.first_odd: tuple[int, str] | None = None  # the first target that is not a finite number

    # -- reading -------------------------------------------------------------------------
    def read(self, f) -> None:
        line = 1
        for lines in _chunks(f):
            start = 0
            while not self.width and start < len(lines):  # the first row (or header) alone, row by row
                end = _record_end(lines, start)
                self._slow(lines[start:end], line + start)
                start = end
            end = len(lines)
            while end > start and lines[end - 1].isspace():  # blank lines at the end go the slow way
                end -= 1
            if start < end and not self._fast(lines[start:end], line + start):
                self._slow(lines[start:end], line + start)
            if end < len(lines):
                self._slow(lines[end:], line + end)
            line += len(lines)

    def _fast(self, lines: list[str], line: int) -> bool:
        """Parse a chunk of plain rows (no quotes, no blank rows) with numpy; False if it is not plain."""
        commas = self.width - 1
        if set(map(str.count, lines, repeat(","))) != {commas} or any(map(str.__contains__, lines, repeat('"'))):
            return False
        try:
            block = np.loadtxt(lines, delimiter=",", usecols=range(commas), comments=None, dtype=float, ndmin=2)
        except ValueError:
            return False
        labels = list(map(str.strip, map(itemgetter(2), map(str.rpartition, lines, repeat(",")))))
        if len(block) != len(lines) or not np.isfinite(block).all() or "" in labels:
            return False
        self.X[self.n:self.n + len(lines)] = block
        self._targets(labels, line)
        return True

    def _slow(self, lines: list[str], line: int) -> None:
        """Row by row with the csv module: quotes, blank rows, and the message for a bad cell."""
        reader = csv.reader(lines)
        start = line
        for row in reader:
            cells = [c.strip() for c in row]
            if any(cells):
                self._row(cells, start)
            start = line + reader.line_num

    def _row(self, cells: list[str], line: int) -> None:
        if not self.width:
            self._first_row(cells, line)
            if self.features:
                return
        if len(cells) != self.width:
            raise DataError(f"{self.name} line {line}: {len(cells)} values, expected {self.width} like the first row")
        for j, cell in enumerate(cells[:-1]):
            v = _number(cell)
            if v is None or not math.isfinite(v):
                what = ("an empty value" if cell == "" else f"{brief(cell)} is not a number" if v is None
                        else f"{brief(cell)} is not a finite number")
                raise DataError(f"{self.name} line {line}, column {j + 1} ({cut(self.feature(j), 40)}): {what}")
            self.X[self.n, j] = v
        if cells[-1] == "":
            raise DataError(f"{self.name} line {line}, column {self.width} (target): an empty value")
        self._targets([cells[-1]], line)

    def _first_row(self, cells: list[str], line: int) -> None:
        """The width, a header if a feature cell is not a number, and the arrays (memory checked first)."""
        self.width = len(cells)
        if self.width < 2:
            raise DataError(f"{self.name} line {line}: need at least one feature column and a target column")
        if any(_number(c) is None for c in cells[:-1]):
            self.features = [clean(c) for c in cells[:-1]]
        try:
            check_floats(self.max_rows * (self.width + 1), f"{self.name} ({self.max_rows} lines × {self.width} columns)")
        except ValueError as e:
            raise DataError(str(e)) from None
        self.X = np.empty((self.max_rows, self.width - 1))
        self.tnum = np.empty(self.max_rows)
        self.ids = np.empty(self.max_rows, dtype=np.int32)

    def feature(self, j: int) -> str:
        return self.features[j] if self.features else f"x{j + 1}"

    def _targets(self, labels: list[str], line: int) -> None:
        """Record a run of target cells (rows ``self.n`` on, from line ``line``) as numbers and as label ids."""
        n, k = self.n, len(labels)
        if self.numbers_or_missing:
            values = _numbers(labels)
            finite = np.isfinite(values)
            if self.numeric:
                self.tnum[n:n + k] = values
            if not finite.all():
                self._odd(labels, line, np.flatnonzero(~finite))
        if self.labels is not None:
            self._label_ids(labels, line)
        self.n += k

    def _odd(self, labels: list[str], line: int, where: np.ndarray) -> None:
        """Targets that are not finite numbers: the first is kept for messages; is each a missing marker?"""
        self.numeric = False
        if self.first_odd is None:
            self.first_odd = (line + int(where[0]), labels[where[0]])
        for i in where:
            if _number(labels[i]) is None and labels[i].lower() not in MISSING:
                self.numbers_or_missing = False
                return

    def _label_ids(self, labels: list[str], line: int) -> None:
        """Give each distinct label an id (in order of appearance), noting where it first appears."""
        table = self.labels
        new = [s for s in dict.fromkeys(labels) if s not in table]
        if len(table) + len(new) > MAX_CLASSES:
            self.labels = None  # too many to be classes: numbers, or an error at the end
            return
        for s in new:
            table[s] = len(table)
            self.first_line[s] = line + labels.index(s)
        self.ids[self.n:self.n + len(labels)] = np.fromiter(map(table.__getitem__, labels), np.int32, len(labels))

    # -- the result ---------------------------------------------------------------------
    def result(self):
        name, n = self.name, self.n
        if not self.width:
            raise DataError(f"{name}: the file has no rows")
        if n < 2:
            raise DataError(f"{name}: need at least two data rows, found {n}")
        X = _shrink(self.X, n)
        T, task, classes = self._target_arrays()
        features = self.features or [f"x{j + 1}" for j in range(self.width - 1)]
        return X, T, task, classes, features

    def _target_arrays(self):
        name, n, target = self.name, self.n, self.target
        missing = not self.numeric and self.numbers_or_missing and self._some_number()
        if (target != "class" and missing) or (target == "value" and not self.numeric):
            line, cell = self.first_odd
            what = "is missing or not a finite number" if self.numbers_or_missing else "is not a number"
            raise DataError(f"{name} line {line}, column {self.width} (target): {brief(cell)} {what}"
                            + (" in a column of numbers" if self.numbers_or_missing else ""))
        if self.numeric:
            values = _shrink(self.tnum, n)
            keys, ids = np.unique(values, return_inverse=True)
            if target == "value" or (target == "auto" and not _looks_like_classes(keys)):
                return values.reshape(-1, 1), "value", []
            return self._one_hot(ids, [f"{k:g}" for k in keys.tolist()])
        if self.labels is None:
            raise DataError(f"{name}: the target column has more than {MAX_CLASSES} different labels "
                            f"and not all are numbers (line {self.first_odd[0]}: {brief(self.first_odd[1])})")
        return self._one_hot(*self._classes())

    def _some_number(self) -> bool:
        """Whether any target is a finite number (only asked when every one is a number or missing)."""
        if self.labels is None:
            return True
        return any(v is not None and math.isfinite(v) for v in map(_number, self.labels))

    def _classes(self) -> tuple[np.ndarray, list[str]]:
        """Label ids per row and the class names, sorted: control characters removed, equal names merged."""
        cleaned = {}
        for raw, line in self.first_line.items():
            cleaned[raw] = clean(raw)
            if not cleaned[raw]:
                raise DataError(f"{self.name} line {line}, column {self.width} (target): "
                                f"{brief(raw)} has nothing but control characters")
        classes = sorted(set(cleaned.values()))
        index = {c: i for i, c in enumerate(classes)}
        remap = np.array([index[cleaned[raw]] for raw in self.labels], dtype=np.int32)
        return remap[self.ids[:self.n]], classes

    def _one_hot(self, ids: np.ndarray, classes: list[str]):
        if len(classes) < 2:
            raise DataError(f"{self.name}: the target column has only one class ({cut(classes[0])})")
        try:
            check_floats(len(ids) * len(classes), f"{self.name}'s {len(classes)} classes, one-hot")
        except ValueError as e:
            raise DataError(str(e)) from None
        T = np.zeros((len(ids), len(classes)))
        T[np.arange(len(ids)), ids] = 1.0
        return T, "class", classes


def _chunks(f):
    """Lists of about CHUNK characters of whole lines; a quoted field never spans two lists."""
    while lines := f.readlines(CHUNK):
        quotes = sum(map(str.count, lines, repeat('"')))
        while quotes % 2 and (more := f.readline()):
            lines.append(more)
            quotes += more.count('"')
        yield lines


def _record_end(lines: list[str], start: int) -> int:
    """The index after the line that ends the record starting at ``lines[start]`` (quotes balanced)."""
    end, quotes = start + 1, lines[start].count('"')
    while quotes % 2 and end < len(lines):
        quotes += lines[end].count('"')
        end += 1
    return end


def _numbers(cells: list[str]) -> np.ndarray:
    """The cells as floats, NaN where a cell is not a number."""
    try:
        return np.array(cells, dtype=float)
    except ValueError:
        return np.array([math.nan if v is None else v for v in map(_number, cells)])


def _shrink(a: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` rows of ``a``, giving the rest back without a copy."""
    a.resize((n,) + a.shape[1:], refcheck=False)
    return a


def _looks_like_classes(distinct: np.ndarray) -> bool:
    return len(distinct) <= MAX_AUTO_CLASSES and all(float(v).is_integer() for v in distinct)
