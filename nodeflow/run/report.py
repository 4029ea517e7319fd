"""What a run says after each epoch, as a line of text or a JSON object.

``nodeflow run`` prints these (and the warnings a run gives), and ``nodeflow export``
copies this module's source into its scripts, so both print the very same lines.
Self-contained on purpose: no imports.
"""

SUFFIXES = {"mean_loss.loss": "loss", "test_loss.loss": "test_loss", "train_accuracy.acc": "train_acc",
            "test_accuracy.acc": "test_acc"}
RISING_EPOCHS, RISING_BY = 5, 1.1  # warn when the loss grew 5 epochs in a row, by 10 % or more
SATURATED_SHARE = 0.5  # warn when more than this share of a layer's sigmoid slopes was below 0.01 in an epoch


def percent(v) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def loss_text(v) -> str:
    return "—" if v is None else f"{v:.4f}" if v >= 1e-3 or v == 0 else f"{v:.3e}"


def networks(values: dict) -> dict:
    """Group the metric values of networks built side by side ("sgd_mean_loss.loss", "adam_...") by prefix."""
    out: dict = {}
    for key, v in values.items():
        for suffix, name in SUFFIXES.items():
            if key.endswith(suffix):
                out.setdefault(key[: -len(suffix)].rstrip("_") or "network", {})[name] = v
    return out


def losses_text(m: dict, gap: str = " ") -> str:
    """``loss 0.1234`` and, when the test set's loss is measured, ``test loss 0.1301`` after ``gap``."""
    text = f"loss {loss_text(m.get('loss'))}"
    return text if m.get("test_loss") is None else f"{text}{gap}test loss {loss_text(m['test_loss'])}"


def epoch_line(i: int, total: int, figures: dict, values: dict) -> str:
    """``epoch 3/500  loss 0.1234  train 91.3%  test 88.9%`` (one part per network when there are several).

    ``figures``: loss, test_loss, train_acc and test_acc; ``values``: every metric port's value by "node.port"."""
    nets = networks(values)
    if len(nets) > 1:
        parts = [f"{name}: {losses_text(m)} train {percent(m.get('train_acc'))} "
                 f"test {percent(m.get('test_acc'))}" for name, m in nets.items()]
        return f"epoch {i}/{total}  " + "  |  ".join(parts)
    return (f"epoch {i}/{total}  {losses_text(figures, '  ')}  train {percent(figures.get('train_acc'))}  "
            f"test {percent(figures.get('test_acc'))}")


def epoch_record(i: int, figures: dict, values: dict) -> dict:
    """The JSON object of one epoch: epoch, loss, test_loss, train_acc, test_acc (and networks, when several)."""
    row = {"epoch": i, "loss": figures.get("loss"), "test_loss": figures.get("test_loss"),
           "train_acc": figures.get("train_acc"), "test_acc": figures.get("test_acc")}
    nets = networks(values)
    if len(nets) > 1:
        row["networks"] = nets
    return row


def rising_warning(losses: list) -> str | None:
    """When the loss (``losses``: the last epochs' figures, this one last) grew every one of the last
    RISING_EPOCHS epochs, by RISING_BY in all."""
    recent = losses[-RISING_EPOCHS - 1:]
    loss = recent[-1] if recent else None
    if loss is None or len(recent) <= RISING_EPOCHS or None in recent:
        return None
    if loss >= RISING_BY * recent[0] and all(b > a for a, b in zip(recent, recent[1:])):
        return (f"the loss has grown for {RISING_EPOCHS} epochs in a row ({recent[0]:.4g} -> {loss:.4g}); "
                "the learning rate may be too high")
    return None


def saturation_warning(shares: dict) -> str | None:
    """Name the first layer most of whose sigmoid slopes were below 0.01 this epoch (``shares``:
    Saturation node -> its share, None when not measured)."""
    for node, share in shares.items():
        if share is not None and share > SATURATED_SHARE:
            return (f"{node}: {100 * share:.0f}% of the layer's sigmoid slopes were below 0.01 this epoch, "
                    "so the layer is saturated and barely learns; smaller weights help: init xavier (scaled "
                    "by fan-in), scaled inputs (scale minmax) or, if it came with training, a lower "
                    "learning rate or L2")
    return None


def epoch_warning(losses: list, shares: dict) -> str | None:
    """What a run warns of after an epoch (a rising loss; a saturated layer), or None."""
    rising, saturated = rising_warning(losses), saturation_warning(shares)  # (once per epoch: kept cheap)
    return f"{rising}; {saturated}" if rising and saturated else rising or saturated
