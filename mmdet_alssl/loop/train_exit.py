"""What the loop says about a training process that failed. A process the
kernel killed for memory dies by SIGKILL with nothing in its log, so the
loop names the signal and the two settings that size a training step's
memory: the input size and the batch size."""
import signal
from typing import Optional


def train_resize(dataloader_cfg) -> Optional[dict]:
    """The first ``Resize`` of a pipeline under a dataloader config (its
    data set, wrapped or not): ``{'scale': ..., 'keep_ratio': ...}``, None
    when there is none."""
    if isinstance(dataloader_cfg, dict):
        for step in dataloader_cfg.get('pipeline') or []:
            if isinstance(step, dict) and step.get('type') == 'Resize':
                return dict(scale=tuple(step.get('scale') or ()),
                            keep_ratio=bool(step.get('keep_ratio', False)))
        children = dataloader_cfg.values()
    elif isinstance(dataloader_cfg, (list, tuple)):
        children = dataloader_cfg
    else:
        return None
    for child in children:
        found = train_resize(child)
        if found is not None:
            return found
    return None


def describe_exit(rc: int, cfg) -> str:
    """How a training process ended with return code ``rc`` (negative: the
    signal that killed it, as ``subprocess`` reports it).

    Returns:
        str: ``'failed (exit status 1)'``, or ``'was killed by signal 9
        (SIGKILL), most likely out of memory (images resized to (1333,
        800), keep_ratio True; batches of 16): lower the input size or
        train_dataloader.batch_size'``; other signals are named alone.
    """
    if rc >= 0:
        return f'failed (exit status {rc})'
    try:
        name = signal.Signals(-rc).name
    except ValueError:
        name = 'unknown signal'
    text = f'was killed by signal {-rc} ({name})'
    if -rc != signal.SIGKILL:
        return text
    loader = cfg.get('train_dataloader') or {}
    resize = train_resize(loader)
    size = 'images of the pipeline\'s size' if resize is None else (
        f'images resized to {resize["scale"]}, keep_ratio '
        f'{resize["keep_ratio"]}')
    return (f'{text}, most likely out of memory ({size}; batches of '
            f'{loader.get("batch_size")}): lower the input size or '
            f'train_dataloader.batch_size')
