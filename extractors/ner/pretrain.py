"""Unlabeled in-domain text for ``spacy pretrain`` of the SciERC NER's tok2vec, and its objective.

``python -m extractors.ner.pretrain corpus`` writes ``raw.jsonl`` (one ``{"text": abstract}`` a
line) for ``spacy pretrain extractors/ner/scierc.cfg``: the SciERC train abstracts and a fixed
sample (fixed seed) of the paperlists abstracts, in a fixed order, so the same inputs always give
the same file. Never in it: the SciERC dev and test abstracts and the SciREX abstracts (dev and
test are what the model is tuned and scored on), nor any paperlists abstract that begins like one
of them (compared on lowercased letters and digits, so SciERC's and SciREX's spaced-out tokens
match the original text).

``PretrainCharactersProjected.v1`` is spaCy's ``PretrainCharacters.v1`` (predict the first and
last characters of masked words from the tok2vec's output) for a tok2vec that outputs one array
for the batch rather than one per doc: the ``tok2vec`` of spaCy's NER model, which is the CNN
followed by its projection to the parser's hidden width. Pretraining that whole layer means
``[initialize] init_tok2vec`` can load the weights into ``ner``'s ``tok2vec`` as they are
(``[pretraining] component = "ner"``, ``layer = "tok2vec"`` in ``scierc.cfg``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.ml.models.multi_task import build_masked_language_model, get_characters_loss
from spacy.util import registry
from thinc.api import LayerNorm, Maxout, Model, MultiSoftmax, chain

# The config's callbacks (our tokenizer) must be registered when spaCy reads --code this file.
import extractors.ner.tokenizer  # noqa: F401
from extractors.ner.scierc import read_abstracts
from kg.atomic import atomic_write

if TYPE_CHECKING:
    from spacy.vocab import Vocab

PAPERLISTS_FILE = "paperlists/paperlists_title_abstract.jsonl.gz"
SCIERC_TRAIN = "scierc/scierc_train_text.jsonl"
HELD_OUT = ("scierc/scierc_dev_text.jsonl", "scierc/scierc_test_text.jsonl")
SCIREX_FILE = "scirex/scirex_title_abstract.jsonl"
# Robotics and graphics venues: far from SciERC's AI, NLP, vision, speech and ML abstracts.
EXCLUDED_VENUES: tuple[str, ...] = ("iros", "icra", "rss", "corl", "siggraph", "siggraphasia")
SEED = 0
PAPERS = 10_000
PREFIX_CHARS = 120  # of an abstract's lowercased letters and digits, to recognise it


def fingerprint(text: str) -> str:
    """The first ``PREFIX_CHARS`` lowercased letters and digits of ``text``."""
    return re.sub(r"[^0-9a-z]", "", text.lower())[:PREFIX_CHARS]


def held_out_fingerprints(data: Path) -> set[str]:
    """Fingerprints of every abstract the pretraining text must not contain."""
    prints = {fingerprint(a.text) for name in HELD_OUT for a in read_abstracts(data / name)}
    with (data / SCIREX_FILE).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                prints.add(fingerprint(str(json.loads(line).get("abstract") or "")))
    prints.discard("")
    return prints


def paperlists_abstracts(data: Path) -> Iterator[tuple[str, str, str]]:
    """(id, venue, abstract) of every paperlists record with an abstract, in file order."""
    with gzip.open(data / PAPERLISTS_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                abstract = " ".join(str(record.get("abstract") or "").split())
                if abstract:
                    yield str(record.get("id") or ""), str(record.get("venue") or ""), abstract


def corpus(data: Path, out: Path, papers: int = PAPERS, seed: int = SEED) -> dict[str, int]:
    """Write ``out`` (JSONL, one ``{"text": ...}`` a line): the SciERC train abstracts, then
    ``papers`` paperlists abstracts drawn with ``seed`` from those outside ``EXCLUDED_VENUES``
    and not held out, in file order; return counts."""
    held_out = held_out_fingerprints(data)
    stats = {"held-out abstracts": len(held_out), "paperlists dropped as held out": 0,
             "paperlists dropped as duplicates": 0}
    train = [a.text for a in read_abstracts(data / SCIERC_TRAIN)
             if fingerprint(a.text) not in held_out]
    seen = held_out | {fingerprint(t) for t in train}
    pool = []
    for _, venue, abstract in paperlists_abstracts(data):
        if venue in EXCLUDED_VENUES:
            continue
        key = fingerprint(abstract)
        if key in held_out:
            stats["paperlists dropped as held out"] += 1
        elif key in seen:
            stats["paperlists dropped as duplicates"] += 1
        else:
            seen.add(key)
            pool.append(abstract)
    chosen = sorted(random.Random(seed).sample(range(len(pool)), min(papers, len(pool))))
    texts = train + [pool[i] for i in chosen]
    with atomic_write(out) as handle:  # an interrupted run leaves no half-written corpus
        for text in texts:
            handle.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    stats.update({"scierc train abstracts": len(train), "paperlists pool": len(pool),
                  "paperlists abstracts": len(chosen), "texts": len(texts),
                  "words": sum(len(t.split()) for t in texts)})
    return stats


@registry.architectures("paperkg.PretrainCharactersProjected.v1")
def create_pretrain_characters_projected(
    maxout_pieces: int, hidden_size: int, n_characters: int
) -> Callable[[Vocab, Model], Model]:
    """spaCy's characters objective on a tok2vec whose output is one array for the batch."""

    def create(vocab: Vocab, tok2vec: Model) -> Model:
        output_layer = chain(Maxout(nO=hidden_size, nP=maxout_pieces), LayerNorm(nI=hidden_size),
                             MultiSoftmax([256] * n_characters, nI=hidden_size))
        model = build_masked_language_model(vocab, chain(tok2vec, output_layer))
        model.set_ref("tok2vec", tok2vec)
        model.set_ref("output_layer", output_layer)
        model.attrs["loss"] = partial(get_characters_loss, nr_char=n_characters)
        return model

    return create


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cor = commands.add_parser("corpus", help="raw.jsonl for spacy pretrain")
    cor.add_argument("--data", type=Path, default=Path("../shared/data/external"))
    cor.add_argument("--out", type=Path, default=Path("build/scierc-pretrain/raw.jsonl"))
    cor.add_argument("--papers", type=int, default=PAPERS)
    cor.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    json.dump(corpus(args.data, args.out, args.papers, args.seed), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
