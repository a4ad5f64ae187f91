"""Train simdedup's claim model: a LoRA adapter on the bundled all-MiniLM-L6-v2.

    python -m training.train_claims             # the shipped recipe, then dev metrics and defaults
    python -m training.train_claims --quick     # every step on a slice, for a smoke run
    python -m training.train_claims --out DIR   # write the artefact to DIR instead of the package

What it does (sentence-transformers' own trainer, losses and miner; fixed seeds):

1. Reads the hand-written corpus in training/data (train split only for training).
2. For each of :attr:`Recipe.rounds` rounds, mines hard negatives with the current model
   (``mine_hard_negatives`` over every (anchor, positive) pair of a claim, so no member of the
   anchor's own claim can come back as a negative), keeps one (anchor, positive, negative) row per
   paragraph, and trains one epoch of ``MultipleNegativesRankingLoss`` on batches in which no two
   rows share a claim (:class:`DistinctClaimBatchSampler`: every in-batch negative is a true
   negative). STS-B train pairs, when ``../shared/data/stsb`` is there, are mixed in under
   ``CoSENTLoss`` so the model keeps its general notion of similarity.
3. Saves the adapter (``adapter_model.safetensors``, a few MB) and a manifest with probe vectors
   that the merge at first use must reproduce, then chooses the talking-point threshold, the
   figure penalty and the dedup threshold on dev (:mod:`training.tune_defaults`) with the vectors
   users get (the merged model's int8 ONNX export) and writes them into the manifest.

The test set (benchmarks/data/talking_points_test.jsonl) is never read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from training import evaluate
from training.corpus import Item, by_claim, load

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "training" / "results"
STSB_TRAIN = evaluate.SHARED / "stsb" / "sts-train.csv"


@dataclass(frozen=True)
class Recipe:
    """Every setting of a training run (saved in the manifest)."""

    seed: int = 0
    rounds: int = 4
    learning_rate: float = 2e-4
    batch_size: int = 32
    max_seq_length: int = 256
    scale: float = 20.0  # MNRL's inverse temperature
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    negatives_ranked: int = 3  # a row's negative is drawn from the anchor's top-n mined
    stsb_pairs: int = 512  # STS-B train pairs mixed into each round (0: none)
    warmup_ratio: float = 0.1
    loss: str = "mnrl"  # "mnrl" on triplets; "+cosent" / "+contrastive" adds labelled pairs
    margin: float = 0.5  # OnlineContrastiveLoss: different claims pushed below cosine 1 - margin
    full: bool = False  # fine-tune every weight instead of a LoRA adapter (for comparison)
    directions: str = "query_to_doc"  # MNRL's interaction terms (comma-separated)
    anchor_texts: int = 0  # UNGDC paragraphs a round held to the bundled model's vectors (MSE)


LORA_TARGETS = (  # every linear layer of the six transformer layers
    r".*encoder\.layer\.\d+\."
    r"(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)"
)


class DistinctClaimBatchSampler:
    """Batches in which no claim appears twice, so every in-batch negative is a true negative.

    A row's claims are those of its texts (``claims`` maps a text to its claim; texts it does not
    know, such as STS-B sentences, count as claims of their own). Rows are visited in a seeded
    random order; a row whose claims clash with the batch being filled waits for the next one.
    Follows sentence-transformers' batch-sampler interface (``set_epoch``, ``__len__``).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        valid_label_columns: list[str] | None = None,
        generator: Any = None,
        seed: int = 0,
        *,
        claims: Mapping[str, str],
    ) -> None:
        del generator
        label_columns = set(valid_label_columns or [])
        columns = [c for c in dataset.column_names if c not in label_columns]
        self.rows = [{claims.get(str(row[c]), str(row[c])) for c in columns} for row in dataset]
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[list[int]]:
        pending = list(range(len(self.rows)))
        random.Random(self.seed + self.epoch).shuffle(pending)
        while pending:
            batch: list[int] = []
            used: set[str] = set()
            waiting: list[int] = []
            for index in pending:
                if len(batch) < self.batch_size and not (self.rows[index] & used):
                    batch.append(index)
                    used |= self.rows[index]
                else:
                    waiting.append(index)
            if len(batch) == self.batch_size or not self.drop_last:
                yield batch
            pending = waiting

    def __len__(self) -> int:
        return -(-len(self.rows) // self.batch_size)


def all_pairs(train: list[Item], with_self: bool = False) -> tuple[list[str], list[str]]:
    """Every ordered (anchor, positive) pair of two paragraphs making one claim; with
    ``with_self``, also each such paragraph paired with itself (``mine_hard_negatives`` masks
    only a query's positives, and a query found in the corpus would come back as its own
    hardest negative)."""
    anchors, positives = [], []
    for group in by_claim(train).values():
        for a in group:
            for p in group:
                if (a is not p or with_self) and len(group) > 1:
                    anchors.append(a.text)
                    positives.append(p.text)
    return anchors, positives


def round_rows(
    train: list[Item], mined: Any, recipe: Recipe, rng: random.Random
) -> dict[str, list[str]]:
    """One (anchor, positive, negative) row per paragraph that has a positive: the positive a
    random other paragraph of its claim (not its own wire copy when another one exists), the
    negative one of the anchor's ``negatives_ranked`` hardest mined."""
    claim = {i.text: i.claim for i in train}
    negatives: dict[str, list[str]] = {}
    columns = [c for c in mined.column_names if c.startswith("negative")]
    for row in mined:
        found = [row[c] for c in columns if claim.get(row[c]) != claim[row["anchor"]]]
        if found:
            negatives.setdefault(row["anchor"], found)
    out: dict[str, list[str]] = {"anchor": [], "positive": [], "negative": []}
    for group in by_claim(train).values():
        for a in group:
            others = [p for p in group if p is not a]
            reworded = [p for p in others if not (a.dup_group and p.dup_group == a.dup_group)]
            if not others or a.text not in negatives:
                continue
            positive = rng.choice(reworded or others)
            out["anchor"].append(a.text)
            out["positive"].append(positive.text)
            out["negative"].append(rng.choice(negatives[a.text][: recipe.negatives_ranked]))
    return out


def labelled_pairs(triplets: dict[str, list[str]]) -> dict[str, list[Any]]:
    """Each triplet as two scored pairs: (anchor, positive, 1.0) and (anchor, negative, 0.0)."""
    out: dict[str, list[Any]] = {"sentence1": [], "sentence2": [], "score": []}
    for a, p, n in zip(triplets["anchor"], triplets["positive"], triplets["negative"]):
        out["sentence1"] += [a, a]
        out["sentence2"] += [p, n]
        out["score"] += [1.0, 0.0]
    return out


def anchor_set(model: Any, count: int) -> tuple[list[str], list[list[float]]] | None:
    """``count`` UNGDC paragraphs with the bundled model's vectors of them (before training):
    held to those vectors, they keep the space the claim model sharpens in place."""
    import gzip

    path = evaluate.SHARED / "ungdc" / "ungdc_paragraphs.jsonl.gz"
    if not path.is_file():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for _, line in zip(range(200_000), fh)]
    rng = random.Random(1)
    picked = [t for t in rng.sample(texts, count * 2) if 20 <= len(t.split()) <= 150][:count]
    vectors = model.encode(picked, batch_size=32, normalize_embeddings=True)
    return picked, [list(map(float, v)) for v in vectors]


def stsb_rows(count: int, rng: random.Random) -> dict[str, list[Any]] | None:
    """``count`` random STS-B train pairs with their score scaled to 0-1 (CoSENT's label)."""
    if count <= 0 or not STSB_TRAIN.is_file():
        return None
    rows = [r for r in evaluate._tsv(STSB_TRAIN) if len(r) >= 7]
    picked = rng.sample(rows, min(count, len(rows)))
    return {
        "sentence1": [r[5] for r in picked],
        "sentence2": [r[6] for r in picked],
        "score": [float(r[4]) / 5.0 for r in picked],
    }


def dev_report(model: Any, dev: list[Item]) -> dict[str, Any]:
    """Torch-vector dev metrics: talking points at the best setting of a coarse grid, STS-B dev
    news Spearman and MSRP val F1."""

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(
            model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False),
            dtype=np.float32,
        )

    sets = [evaluate.corpus_set("claims dev", dev), evaluate.old_dev_set()]
    embedded = [(s, encode(s.texts)) for s in sets]
    grid = evaluate.talking_point_grid(
        embedded, np.round(np.arange(0.5, 0.95, 0.02), 2), (0.0, 1.0)
    )
    best = evaluate.best_setting(grid)
    return {
        "talking_points": {
            "threshold": best[0],
            "penalty": best[1],
            **{s.name: scores for (s, _), scores in zip(embedded, grid[best])},
        },
        "best_ari_each": [max(scores[i]["ari"] for scores in grid.values()) for i in range(2)],
        "stsb_dev_news_spearman": evaluate.stsb_news_dev(encode),
        "msrp_val_best_f1": evaluate.msrp_val(encode),
    }


def train(
    recipe: Recipe,
    out: Path,
    quick: bool,
    areas: list[str] | None = None,
    eval_rounds: bool = False,
) -> dict[str, Any]:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        mine_hard_negatives,
    )
    from sentence_transformers.sentence_transformer.losses import (
        CoSENTLoss,
        MSELoss,
        MultipleNegativesRankingLoss,
        OnlineContrastiveLoss,
    )
    from transformers import set_seed

    from simdedup.embed.encoder import default_model_path

    started = time.perf_counter()
    set_seed(recipe.seed)
    rng = random.Random(recipe.seed)
    train_items, dev_items = load("train", areas=areas), load("dev", areas=areas)
    if quick:
        keep = {c for i, c in enumerate(sorted(by_claim(train_items))) if i % 8 == 0}
        train_items = [i for i in train_items if i.claim in keep]
        dev_items = dev_items[: len(dev_items) // 4]
    claims = {i.text: i.claim for i in train_items}
    print(
        f"train: {len(train_items)} paragraphs, {len(by_claim(train_items))} claims; "
        f"dev: {len(dev_items)} paragraphs",
        flush=True,
    )

    model = SentenceTransformer(str(default_model_path()), device="cpu", local_files_only=True)
    model.max_seq_length = recipe.max_seq_length
    if not recipe.full:
        model.add_adapter(
            LoraConfig(
                r=recipe.lora_r,
                lora_alpha=recipe.lora_alpha,
                lora_dropout=recipe.lora_dropout,
                target_modules=LORA_TARGETS,
            )
        )
    teacher = anchor_set(model, recipe.anchor_texts * 4) if recipe.anchor_texts else None
    anchors, positives = all_pairs(train_items, with_self=True)
    pairs = Dataset.from_dict({"anchor": anchors, "positive": positives})
    corpus = [i.text for i in train_items]
    history: list[dict[str, Any]] = []
    rounds = 1 if quick else recipe.rounds
    for number in range(1, rounds + 1):
        tick = time.perf_counter()
        mined = mine_hard_negatives(
            pairs,
            model,
            corpus=corpus,
            num_negatives=recipe.negatives_ranked,
            sampling_strategy="top",
            output_format="n-tuple",
            batch_size=32,
            verbose=False,
        )
        triplets = round_rows(train_items, mined, recipe, rng)
        rows = Dataset.from_dict(triplets)
        datasets: dict[str, Any] = {}
        losses: dict[str, Any] = {}
        if "mnrl" in recipe.loss:
            datasets["claims"] = rows
            losses["claims"] = MultipleNegativesRankingLoss(
                model, scale=recipe.scale, directions=tuple(recipe.directions.split(","))
            )
        if "cosent" in recipe.loss:
            datasets["claim_pairs"] = Dataset.from_dict(labelled_pairs(triplets))
            losses["claim_pairs"] = CoSENTLoss(model)
        if "contrastive" in recipe.loss:
            labelled = labelled_pairs(triplets)
            labelled["label"] = [int(s) for s in labelled.pop("score")]
            datasets["claim_pairs"] = Dataset.from_dict(labelled)
            losses["claim_pairs"] = OnlineContrastiveLoss(model, margin=recipe.margin)
        if recipe.anchor_texts and teacher is not None:
            picked = rng.sample(range(len(teacher[0])), min(recipe.anchor_texts, len(teacher[0])))
            datasets["anchors"] = Dataset.from_dict(
                {"text": [teacher[0][i] for i in picked], "label": [teacher[1][i] for i in picked]}
            )
            losses["anchors"] = MSELoss(model)
        sts = stsb_rows(recipe.stsb_pairs, rng)
        if sts is not None:
            datasets["stsb"] = Dataset.from_dict(sts)
            losses["stsb"] = CoSENTLoss(model)
        mined_s = time.perf_counter() - tick
        with tempfile.TemporaryDirectory() as work:
            args = SentenceTransformerTrainingArguments(
                output_dir=work,
                num_train_epochs=1,
                per_device_train_batch_size=recipe.batch_size,
                learning_rate=recipe.learning_rate,
                warmup_ratio=recipe.warmup_ratio,
                seed=recipe.seed + number,
                data_seed=recipe.seed + number,
                batch_sampler=partial(DistinctClaimBatchSampler, claims=claims),
                save_strategy="no",
                logging_steps=10,
                report_to="none",
                use_cpu=True,
                disable_tqdm=True,
            )
            trainer = SentenceTransformerTrainer(
                model=model, args=args, train_dataset=datasets, loss=losses
            )
            result = trainer.train()
        entry = {
            "round": number,
            "rows": len(rows),
            "stsb_rows": 0 if sts is None else len(sts["score"]),
            "steps": result.global_step,
            "train_loss": round(float(result.training_loss), 4),
            "mining_s": round(mined_s, 1),
            "round_s": round(time.perf_counter() - tick, 1),
        }
        if eval_rounds and number < rounds:
            entry["dev_torch"] = dev_report(model, dev_items)
        print(json.dumps(entry), flush=True)
        history.append(entry)
    trained_s = time.perf_counter() - started
    report = dev_report(model, dev_items)
    print(json.dumps({"dev (torch)": report}), flush=True)
    if recipe.full:  # an experiment: the whole model, for comparison only (nothing to ship)
        model.save(str(out))
    else:
        save(model, out, recipe)
    del torch
    return {"history": history, "train_s": round(trained_s, 1), "dev_torch": report}


def save(model: Any, out: Path, recipe: Recipe) -> None:
    """The adapter files and the manifest (probe vectors the merge must reproduce)."""
    from simdedup.embed import claim_model

    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file():
            old.unlink()
    model.transformers_model.save_pretrained(str(out))
    for extra in out.iterdir():
        if extra.name not in claim_model.ADAPTER_FILES:
            extra.unlink()
    probes = model.encode(list(claim_model.PROBES), normalize_embeddings=True)
    manifest = {
        "name": claim_model.CLAIM_MODEL,
        "base": claim_model.BASE_MODEL,
        "files": {
            name: hashlib.sha256((out / name).read_bytes()).hexdigest()
            for name in claim_model.ADAPTER_FILES
        },
        "probe_vectors": np.round(probes, 6).tolist(),
        "recipe": asdict(recipe),
        "data": data_digest(),
    }
    (out / claim_model.MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("torch", "sentence-transformers", "transformers", "peft", "datasets", "accelerate")
    return {name: version(name) for name in names}


def data_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "training" / "data").glob("*.jsonl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on a slice")
    parser.add_argument("--out", type=Path, default=None, help="artefact directory")
    parser.add_argument("--no-tune", action="store_true", help="skip choosing the defaults")
    parser.add_argument("--areas", help="train on these areas only (comma-separated: cn,ru)")
    parser.add_argument("--eval-rounds", action="store_true", help="dev metrics every round")
    parser.add_argument("--results", type=Path, help="where to write the results JSON")
    parser.add_argument("--set", action="append", help="override a Recipe field: KEY=VALUE")
    args = parser.parse_args(argv)
    from simdedup.embed import claim_model

    out = args.out or claim_model.ARTEFACT
    recipe = Recipe()
    for setting in args.set or []:  # experiments: --set learning_rate=1e-4 --set loss=cosent
        key, _, value = setting.partition("=")
        kind = type(getattr(recipe, key))
        parsed = value.lower() in ("1", "true") if kind is bool else kind(value)
        recipe = replace(recipe, **{key: parsed})
    started = time.perf_counter()
    areas = args.areas.split(",") if args.areas else None
    print(json.dumps({"recipe": asdict(recipe)}), flush=True)
    result = train(recipe, out, args.quick, areas, args.eval_rounds)
    result["recipe"] = asdict(recipe)
    result["versions"] = versions()
    if not args.no_tune:
        from training import tune_defaults

        result["defaults"] = tune_defaults.tune(out, areas)
    result["total_s"] = round(time.perf_counter() - started, 1)
    name = "train_claims_quick.json" if args.quick else "train_claims.json"
    path = args.results or RESULTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"done in {result['total_s'] / 60:.1f} min; artefact in {out}; results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
