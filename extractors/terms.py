"""Build ``extractors/kb/terms.tsv``: how many abstracts of a large corpus use each phrase.

The phrase component trusts a task or method phrase more when many papers use it (see
``extractors.components.phrases.load_terms``). Counting runs the same phrase rules over every
abstract, so the table and the extractor agree on what a phrase is.

    python -m extractors.terms ../shared/data/external/paperlists/paperlists_title_abstract.jsonl.gz
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from extractors.components.phrases import TERMS_PATH, term_key


def count_phrases(texts, batch_size: int = 256) -> collections.Counter:
    """Document frequency of every (normalized) phrase the unfiltered rules find."""
    import spacy  # noqa: F401  (the pipeline below needs spaCy)

    from extractors.pipeline import build_nlp

    nlp = build_nlp(lean=True)
    counts: collections.Counter = collections.Counter()
    types: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        seen = set()
        for span in doc.spans.get("phrase", []):
            key = term_key(span.text)
            types[key][span.label_] += 1
            seen.add(key)
        counts.update(seen)
    count_phrases.types = types  # type: ignore[attr-defined]
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", help="paper files (any format kg reads)")
    parser.add_argument("--min-df", type=int, default=2, help="drop rarer phrases")
    parser.add_argument("-o", "--output", type=Path, default=TERMS_PATH)
    args = parser.parse_args(argv)

    from kg.atomic import atomic_write
    from kg.readers import read_papers

    papers = read_papers(args.inputs, skip_bad=True).papers
    texts = [p.abstract for p in papers if p.abstract]
    counts = count_phrases(texts)
    types = count_phrases.types  # type: ignore[attr-defined]
    with atomic_write(args.output) as handle:
        handle.write(f"# phrase\ttype\tabstracts (of {len(texts)}); built by extractors/terms.py\n")
        for phrase, df in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if df >= args.min_df:
                kind = types[phrase].most_common(1)[0][0]
                handle.write(f"{phrase}\t{kind}\t{df}\n")
    print(f"{sum(1 for c in counts.values() if c >= args.min_df)} phrases from {len(texts)} "
          f"abstracts -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
