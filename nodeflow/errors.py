"""Errors that describe a user's mistake.

Every ``NodeflowError`` carries a one-line message saying what is wrong and where;
the CLI prints it (no traceback) and the editor shows it in its status line.
"""


class NodeflowError(Exception):
    """A mistake in what the user asked for or gave us; the message is one line."""


class EditRefused(NodeflowError):
    """An edit (a wire, a parameter, a setting) was refused; the graph is unchanged."""


class DataError(NodeflowError):
    """A data source could not be read or makes no sense (bad CSV, unknown set)."""


class NotReady(NodeflowError):
    """The graph cannot be evaluated yet (an input is unwired, no Dataset, ...)."""


class GraphFileError(NodeflowError):
    """A graph file could not be loaded; ``problems`` lists every one found, with where."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "unknown problem"
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''}; run `nodeflow check {path}`)" if more else ""
        super().__init__(f"{path}: {first}{tail}")


class Diverged(NodeflowError):
    """A value became NaN or infinite; training stopped before the weights were changed."""

    def __init__(self, node: str, port: str, value: float, epoch: int, sample: int, n_samples: int,
                 rates: list[float]):
        self.node, self.port, self.epoch, self.sample = node, port, epoch, sample
        what = "NaN" if value != value else "infinite"
        now = " and ".join(f"{r:g}" for r in rates) or "?"
        super().__init__(
            f"diverged: {node}.{port} became {what} at epoch {epoch}, sample {sample} of {n_samples}; "
            f"the weights from before this step are kept. Try a lower learning rate (now {now})")
