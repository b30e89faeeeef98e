"""``kg eval``: measure the extraction on a gold file, on the external suite, or both.

::

    kg eval GOLD --input PAGES... [--json] [--show-errors N]
    kg eval GOLD --predictions PRED.jsonl          # score a saved ``kg extract`` output
    kg eval --suite external [--data-dir DIR] [--only NAME] [--json]

``kg.cli`` registers it with ``add_eval_command(sub)``; nothing here runs at import time, and
spaCy loads only when something is extracted.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from kg.errors import KGError


def add_eval_command(subparsers: Any) -> None:
    """Register ``eval`` on the ``kg`` sub-command parsers (``parser.add_subparsers()``)."""
    from kg.evaluation.external import ENV_VAR, SUITES
    from kg.readers import formats

    p = subparsers.add_parser(
        "eval", help="precision, recall, F1, role accuracy, misses and false positives against "
                     "a gold file or the external suite")
    p.add_argument("gold", nargs="?", metavar="GOLD",
                   help="gold annotations (JSONL, data/gold/GUIDELINES.md format)")
    p.add_argument("--input", dest="inputs", nargs="+", default=[], metavar="PAGES",
                   help="papers to extract and score against GOLD (files or directories)")
    p.add_argument("--input-format", choices=formats(), default=None,
                   help="skip sniffing and read every input as this format")
    p.add_argument("--predictions", metavar="PRED.jsonl", default=None,
                   help="score this saved `kg extract` output instead of extracting --input")
    p.add_argument("--show-errors", type=int, default=10, metavar="N",
                   help="misses and false positives listed per type (default 10; -1: all)")
    p.add_argument("--suite", choices=["external"], default=None,
                   help="run the external suite (dataset_mentions, SciREX, SciERC test)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help=f"the external data folder (default: ${ENV_VAR}, else "
                        "../shared/data/external beside the repository)")
    p.add_argument("--only", action="append", choices=SUITES, default=None, metavar="NAME",
                   help=f"run only these external suites ({', '.join(SUITES)}); repeatable")
    p.add_argument("--pipeline", choices=["rules", "statistical"], default="rules",
                   help="the extraction pipeline to measure (default: rules)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    """Run what the arguments ask for; usage mistakes raise ``KGError`` (exit status 2)."""
    if args.gold is None and args.suite is None:
        raise KGError("kg eval: name a GOLD file (with --input PAGES... or --predictions FILE) "
                      "or --suite external")
    if args.suite is None and (args.data_dir or args.only):
        raise KGError("kg eval: --data-dir and --only apply to --suite external")
    if args.gold is None and (args.inputs or args.predictions):
        raise KGError("kg eval: --input and --predictions need a GOLD file to score against")
    output: dict[str, Any] = {}
    texts: list[str] = []
    if args.gold is not None:
        result = _score_gold(args)
        output["gold"] = result.to_json()
        from kg.evaluation.gold import format_report

        texts.append(format_report(result, args.show_errors))
    if args.suite == "external":
        from extractors.pipeline import Extractor, build_nlp
        from kg.evaluation.external import SUITES, run_external

        statistical = args.pipeline == "statistical"
        extractor = Extractor(build_nlp(statistical=statistical, lean=not statistical))
        report = run_external(args.data_dir, extractor=extractor, suites=args.only or SUITES)
        output["external"] = report.to_json()
        texts.append(report.table())
    if args.json:
        only = next(iter(output.values())) if len(output) == 1 else output
        print(json.dumps(only, ensure_ascii=False, indent=1))
    else:
        print("\n\n".join(texts))
    return 0


def _score_gold(args: argparse.Namespace):
    from kg.evaluation.gold import extract_records, load_gold, load_jsonl, score

    if bool(args.inputs) == bool(args.predictions):
        raise KGError(f"kg eval {args.gold}: give either --input PAGES... (extract them now) or "
                      "--predictions PRED.jsonl (a saved `kg extract` output)")
    gold = load_gold(args.gold)
    if args.predictions:
        predictions = load_jsonl(args.predictions, "extraction records (`kg extract` output)")
    else:
        predictions = extract_records(args.inputs, input_format=args.input_format,
                                      pipeline=args.pipeline)
    return score(predictions, gold)
