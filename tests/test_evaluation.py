"""kg.evaluation: the gold-file rules (and their agreement with the official scorer), the
external suites on small fixtures, and the ``kg eval`` command."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from extractors.pipeline import Extractor, PaperMentions
from kg.errors import KGError, ParseError
from kg.evaluation.cli import add_eval_command
from kg.evaluation.counts import Counts
from kg.evaluation.external import (
    ENV_VAR,
    Span,
    dataset_mentions,
    default_data_dir,
    match_spans,
    read_dataset_sentences,
    run_external,
    scierc,
    scirex,
    score_spans,
)
from kg.evaluation.gold import format_report, load_gold, score
from kg.model import Mention, Paper

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
EXTERNAL = FIXTURES / "external"
SHARED = ROOT.parent / "shared"
OFFICIAL = SHARED / "eval" / "score.py"
DEV_GOLD = SHARED / "data" / "gold" / "dev.jsonl"
PAGES = SHARED / "data" / "pages"


def _write_jsonl(path: Path, records: Iterable[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _official(pred: Path, gold: Path) -> dict:
    done = subprocess.run([sys.executable, str(OFFICIAL), str(pred), str(gold), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _gold(title: str, **lists) -> dict:
    record = {"id": title[:8], "title": title, "models": [], "datasets": [], "methods": [],
              "tasks": [], "organizations": [], "links": []}
    record.update(lists)
    return record


def _ent(etype: str, name: str, aliases: Iterable[str] = (), role: str = "used",
         **extra) -> dict:
    return {"type": etype, "name": name, "aliases": list(aliases), "role": role, **extra}


# -- the gold rules ----------------------------------------------------------------------------

GOLD = [
    _gold("NetMamba: Traffic Classification!",
          models=[{"name": "Llama 2", "aliases": ["LLaMA-2"], "role": "used"},
                  {"name": "NetMamba", "aliases": [], "role": "proposed"}],
          datasets=[{"name": "The Pile", "aliases": [], "role": "used"}],
          tasks=[{"name": "traffic classification", "aliases": []}],
          links=["https://www.github.com/acme/netmamba/."]),
    _gold("A paper nobody extracted",
          datasets=[{"name": "GLUE", "aliases": [], "role": "used"}],
          links=["https://example.org/x"]),
]
PRED = [
    {"paper_id": "1", "title": "netmamba -- traffic classification", "entities": [
        _ent("model", "Llama2", extractor="gazetteer"),                  # alias form: match
        _ent("model", "LLaMA 2", extractor="shape",                     # second one: FP
             evidence=[{"text": "We use LLaMA 2.", "start": 0, "end": 7}]),
        _ent("model", "NetMamba", role="used", extractor="title"),      # role error
        _ent("dataset", "Pile", role="used"),                           # "the" dropped: match
        _ent("task", "Traffic-Classification"),                         # no role for tasks
        _ent("metric", "accuracy"),                                     # not scored
        {"type": "link", "name": "github.com/acme/netmamba",
         "url": "http://github.com/acme/netmamba/", "role": "proposed"},
        {"type": "link", "name": "https://example.com/other", "role": "used"},  # name only
    ]},
    {"paper_id": "9", "title": "Not in the gold file", "entities": [_ent("model", "BERT")]},
]


@pytest.fixture
def tiny(tmp_path) -> tuple[Path, Path]:
    return _write_jsonl(tmp_path / "pred.jsonl", PRED), _write_jsonl(tmp_path / "gold.jsonl", GOLD)


def test_matching_rules_on_a_tiny_gold_file(tiny):
    result = score(PRED, load_gold(tiny[1]))
    c = result.counts
    assert c["model"] == Counts(tp=2, fp=1, fn=0)
    assert c["dataset"] == Counts(tp=1, fp=0, fn=1)  # GLUE: its paper was not predicted
    assert c["task"] == Counts(tp=1, fp=0, fn=0)
    assert c["link"] == Counts(tp=1, fp=1, fn=1)
    assert c["all"] == Counts(tp=5, fp=2, fn=2)
    assert (result.role_correct, result.role_total) == (2, 3)  # models and datasets only
    assert result.papers_missing == 1 and result.missing_titles == ("A paper nobody extracted",)


def test_misses_false_positives_and_role_errors_are_listed(tiny):
    result = score(PRED, load_gold(tiny[1]))
    assert {(m.type, m.name, m.paper) for m in result.misses} == {
        ("dataset", "GLUE", "A paper nobody extracted"),
        ("link", "https://example.org/x", "A paper nobody extracted")}
    fps = {(f.type, f.name): f for f in result.false_positives}
    assert set(fps) == {("model", "LLaMA 2"), ("link", "https://example.com/other")}
    assert fps[("model", "LLaMA 2")].extractor == "shape"
    assert fps[("model", "LLaMA 2")].evidence == "We use LLaMA 2."
    assert fps[("model", "LLaMA 2")].paper == "NetMamba: Traffic Classification!"
    [role] = result.role_errors
    assert (role.name, role.gold_role, role.predicted_role) == ("NetMamba", "proposed", "used")
    report = format_report(result, show_errors=5)
    assert "missed  'GLUE'" in report and "extra   'LLaMA 2' [shape]" in report
    assert "\u201cWe use LLaMA 2.\u201d" in report and "role accuracy 0.667 (2/3)" in report
    assert "missed" not in format_report(result, show_errors=0)


def test_one_to_one_matching_follows_gold_order():
    gold = [_gold("T", models=[{"name": "A", "aliases": []},
                               {"name": "B", "aliases": ["A"]}])]
    pred = [{"title": "T", "entities": [_ent("model", "A"), _ent("model", "B", ["A"])]}]
    # gold "A" takes the first prediction, gold "B" the second: both match.
    assert score(pred, gold).counts["model"] == Counts(tp=2, fp=0, fn=0)
    pred = [{"title": "T", "entities": [_ent("model", "A", ["B"])]}]
    assert score(pred, gold).counts["model"] == Counts(tp=1, fp=0, fn=1)


@pytest.mark.skipif(not OFFICIAL.is_file(), reason="../shared/eval/score.py is not beside the repo")
def test_tiny_files_score_as_the_official_scorer_does(tiny):
    pred, gold = tiny
    assert score(PRED, load_gold(gold)).as_dict() == _official(pred, gold)


@pytest.mark.skipif(not (OFFICIAL.is_file() and DEV_GOLD.is_file() and PAGES.is_dir()),
                    reason="../shared (scorer, dev gold, pages) is not beside the repo")
def test_dev_set_figures_equal_the_official_scorer(tmp_path):
    from kg.evaluation.gold import extract_records

    records = extract_records([PAGES])
    pred = _write_jsonl(tmp_path / "pred.jsonl", records)
    ours = score(records, load_gold(DEV_GOLD))
    assert ours.as_dict() == _official(pred, DEV_GOLD)
    assert ours.papers_gold == 80
    c = ours.counts["all"]
    assert len(ours.misses) == c.fn and len(ours.false_positives) == c.fp


def test_gold_file_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(ParseError, match=r"nothing\.jsonl: expected a readable JSONL file"):
        load_gold(tmp_path / "nothing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(_gold("T")) + "\n\n{not json\n")
    with pytest.raises(ParseError, match=r"bad\.jsonl:3: expected one JSON object"):
        load_gold(bad)
    bad.write_text(json.dumps({"id": "x", "models": []}) + "\n")
    with pytest.raises(ParseError, match=r"bad\.jsonl:1: expected a gold record with a \"title\""):
        load_gold(bad)
    bad.write_text(json.dumps(_gold("T", models="BERT")) + "\n")
    with pytest.raises(ParseError, match=r"'models' to be a list; got str"):
        load_gold(bad)


# -- span matching -----------------------------------------------------------------------------

def test_span_matching_exact_overlap_and_documents():
    gold = [Span(0, 0, 18, "Dataset", "UCF-Sports dataset"), Span(0, 30, 38, "Dataset", "ImageNet"),
            Span(1, 0, 5, "Dataset", "MNIST")]
    pred = [Span(0, 0, 10, "Dataset", "UCF-Sports"), Span(0, 30, 38, "Dataset", "ImageNet"),
            Span(0, 30, 38, "Dataset", "ImageNet"),  # a duplicate counts once
            Span(2, 0, 5, "Dataset", "MNIST"),  # same offsets, other document
            Span(0, 2, 8, "Task", "F-Spor")]  # other label
    s = score_spans(gold, pred)
    assert s.exact == Counts(tp=1, fp=3, fn=2)
    assert s.overlap == Counts(tp=2, fp=2, fn=1)


def test_overlap_prefers_the_prediction_sharing_most():
    gold = [Span(0, 0, 10, "M", "a"), Span(0, 8, 12, "M", "b")]
    pred = [Span(0, 8, 11, "M", "x"), Span(0, 0, 9, "M", "y")]
    assert match_spans(gold, pred, overlap=True) == [(0, 1), (1, 0)]


# -- external suites on the fixtures -----------------------------------------------------------

class StubExtractor:
    """Finds fixed strings (case-sensitive) with fixed types: suite figures we can predict."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def extract(self, papers: Iterable[Paper]) -> Iterator[PaperMentions]:
        for paper in papers:
            found = [Mention(type=t, text=n, start=m.start(), end=m.end(), sentence="",
                             extractor="stub")
                     for n, t in self.names.items()
                     for m in re.finditer(re.escape(n), paper.text)]
            found.append(Mention(type="organization", text="Acme", start=0, end=0,
                                 sentence="acme Acme", extractor="metadata"))
            yield PaperMentions(paper, tuple(found), ())


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_dataset_mentions_suite_on_stub_predictions():
    stub = StubExtractor({"ImageNet": "dataset", "CIFAR-10": "dataset", "average": "dataset",
                          "ClueWeb09": "dataset", "BERT": "model", "MNIST": "dataset"})
    result = dataset_mentions(EXTERNAL, stub)
    test, zero = result.files
    assert (test.sentences, test.gold_spans, test.predicted_spans) == (4, 4, 4)
    assert test.score.exact == Counts(tp=2, fp=2, fn=2)  # "CIFAR-10" vs "CIFAR-10 dataset"
    assert test.score.overlap == Counts(tp=3, fp=1, fn=1)
    assert (test.no_dataset_sentences, test.no_dataset_predictions,
            test.no_dataset_sentences_hit) == (1, 1, 1)
    assert test.gold_with_head_noun == 2
    assert test.false_positive_kinds == {"on a taken gold span": 0,
                                         "on gold of another type": 0, "on no gold span": 1}
    assert [(p.text, p.count, p.extractor) for p in test.false_positives] == [
        ("average", 1, "stub")]
    assert [p.text for p in test.misses] == ["foobarqux log collection"]
    assert zero.score.exact == Counts(tp=1, fp=0, fn=1)
    table = result.table()
    assert "Test_set overlap" in table and "Zero-shot exact" in table
    assert "1 dataset(s) predicted in 1 of the 1 \"Geen Dataset\" sentences" in table


def test_scirex_suite_on_stub_predictions():
    stub = StubExtractor({"ResNet": "model", "Image Recognition": "task",
                          "ImageNet test set": "dataset", "residual learning": "method",
                          "top - 5 error": "metric"})
    result = scirex(EXTERNAL, stub)
    assert result.documents == 1
    assert result.gold_spans == {"Method": 4, "Task": 1, "Material": 1, "Metric": 1}
    with_models, without = result.variants
    assert with_models.by_type["Method"].exact == Counts(tp=2, fp=1, fn=2)
    assert with_models.by_type["Method"].overlap == Counts(tp=3, fp=0, fn=1)
    assert with_models.by_type["Task"].exact == Counts(tp=1, fp=0, fn=0)  # in the title
    assert with_models.by_type["Material"].exact == Counts(tp=0, fp=1, fn=1)
    assert with_models.by_type["Material"].overlap == Counts(tp=1, fp=0, fn=0)
    assert with_models.by_type["all"].exact == Counts(tp=4, fp=2, fn=3)
    assert with_models.by_type["all"].overlap == Counts(tp=6, fp=0, fn=1)
    assert without.by_type["Method"].overlap == Counts(tp=1, fp=0, fn=3)
    assert with_models.by_type["types ignored"].overlap == Counts(tp=6, fp=0, fn=1)
    assert "types ignored overlap" in result.table()
    assert not result.notes  # metrics were predicted


def test_scierc_suite_on_stub_predictions():
    stub = StubExtractor({"machine translation": "task", "Turkish": "dataset",
                          "phrase-based model": "method"})
    result = scierc(EXTERNAL, stub)
    assert result.excluded == {"OtherScientificTerm": 1, "Generic": 1}
    assert result.gold_spans == {"Method": 1, "Task": 1, "Material": 1, "Metric": 1}
    all_types = result.variants[0].by_type["all"]
    assert all_types.exact == Counts(tp=2, fp=1, fn=2)
    assert all_types.overlap == Counts(tp=3, fp=0, fn=1)
    table = result.table()
    assert "PL-Marker" in table and "69.9" in table and "not directly comparable" in table
    assert "OtherScientificTerm 1, Generic 1" in table
    assert any("does not extract metrics" in n for n in result.notes)


def _stub_scierc_tagger(texts):
    """Entities a SciERC-trained model could find in the fixture abstract: Task, Generic and
    Metric right, Material one word short, the Method typed Task."""
    assert len(texts) == 1 and texts[0].startswith("We study machine translation")
    return [[(9, 28, "Task"), (33, 40, "Material"), (52, 60, "Generic"), (68, 86, "Task"),
             (100, 104, "Metric")]]


def test_scierc_suite_with_a_stub_scierc_trained_model():
    stub = StubExtractor({"machine translation": "task"})
    result = scierc(EXTERNAL, stub, trained=_stub_scierc_tagger)
    assert result.trained is not None and result.trained.model == "_stub_scierc_tagger"
    by_type = result.trained.by_type
    # six gold entities, nested "Turkish" (OtherScientificTerm) inside "Turkish text" included
    assert by_type["all 6 types"].exact == Counts(tp=3, fp=2, fn=3)
    assert by_type["all 6 types"].overlap == Counts(tp=4, fp=1, fn=2)
    assert by_type["4 mapped types"].exact == Counts(tp=2, fp=2, fn=2)
    assert by_type["4 mapped types"].overlap == Counts(tp=3, fp=1, fn=1)
    assert by_type["Method"].exact == Counts(tp=0, fp=0, fn=1)
    assert by_type["OtherScientificTerm"].exact == Counts(tp=0, fp=0, fn=1)
    table = result.table()
    assert re.search(r"paperkg SciERC-trained CPU NER \(6 types, exact\)\s+54\.5   overlap "
                     r"\s*72\.7", table)
    assert re.search(r"paperkg SciERC-trained CPU NER \(4 types, exact\)\s+50\.0", table)
    assert "PL-Marker" in table and "not directly comparable" in table
    assert "[paperkg SciERC-trained CPU NER: _stub_scierc_tagger]" in table
    data = json.loads(json.dumps(run_external(EXTERNAL, stub, suites=["scierc"],
                                              trained=_stub_scierc_tagger).to_json()))
    assert data["scierc"]["trained"]["by_type"]["all 6 types"]["exact"]["f1"] == 0.545


def test_scierc_suite_without_a_scierc_trained_model(tmp_path):
    stub = StubExtractor({"machine translation": "task"})
    result = scierc(EXTERNAL, stub, trained=False)
    assert result.trained is None and "SciERC-trained" not in result.table()
    with pytest.raises(ParseError, match=r"nowhere: expected a spaCy model folder"):
        scierc(EXTERNAL, stub, trained=tmp_path / "nowhere")


def test_whole_external_suite_with_the_real_pipeline(extractor):
    report = run_external(EXTERNAL, extractor)
    assert report.dataset_mentions is not None and report.scirex and report.scierc
    test = report.dataset_mentions.files[0]
    assert test.score.overlap.tp >= 1  # ImageNet is in every knowledge base worth the name
    data = json.loads(json.dumps(report.to_json()))
    assert data["scierc"]["published"][0] == ["DyGIE++", 67.5]
    assert set(data["scirex"]["variants"][0]["by_type"]["all"]["exact"]) == {
        "tp", "fp", "fn", "precision", "recall", "f1"}
    assert "external suite over" in report.table()


def test_external_data_errors_name_the_path(tmp_path, extractor):
    with pytest.raises(ParseError, match=r"nowhere: expected the external data folder"):
        run_external(tmp_path / "nowhere", extractor)
    with pytest.raises(ParseError, match=r"scirex_title_abstract\.jsonl: expected SciREX .*"
                                         r"no such file"):
        scirex(tmp_path, extractor)
    with pytest.raises(ValueError, match="unknown external suite"):
        run_external(EXTERNAL, extractor, suites=["scirexx"])
    bad = tmp_path / "Test_set_sentences.csv"
    bad.write_text(",id,text,labels\n0,1,Some text.,\"[[0, 4, 'Datasett']]\"\n")
    with pytest.raises(ParseError, match=r"Test_set_sentences\.csv:2: expected labels Dataset"):
        read_dataset_sentences(bad)
    bad.write_text(",id,text,labels\n0,1,Short.,\"[[0, 40, 'Dataset']]\"\n")
    with pytest.raises(ParseError, match=r":2: expected a span inside the 6-character"):
        read_dataset_sentences(bad)
    bad.write_text("id,sentence\n1,x\n")
    with pytest.raises(ParseError, match=r":1: expected a CSV header with columns text"):
        read_dataset_sentences(bad)


def test_data_dir_default_and_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert default_data_dir() == ROOT.resolve().parent / "shared" / "data" / "external"
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert default_data_dir() == tmp_path


# -- the command -------------------------------------------------------------------------------

def _run(argv: list[str], capsys) -> str:
    parser = argparse.ArgumentParser(prog="kg")
    add_eval_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


def test_eval_command_scores_saved_predictions(tiny, capsys):
    pred, gold = tiny
    out = _run(["eval", str(gold), "--predictions", str(pred), "--show-errors", "1"], capsys)
    assert re.search(r"^model\s+0\.667\s+1\.000\s+0\.800\s+2\s+1\s+0$", out, re.M)
    assert "role accuracy 0.667" in out and "extra   'LLaMA 2' [shape]" in out
    data = json.loads(_run(["eval", str(gold), "--predictions", str(pred), "--json"], capsys))
    assert data["model"]["f1"] == 0.8 and data["misses"][0]["name"] == "GLUE"


def test_eval_command_extracts_pages(tmp_path, capsys):
    gold = _write_jsonl(tmp_path / "gold.jsonl", [_gold(
        "FooNet: A Tiny Network for Testing",
        datasets=[{"name": "GLUE", "aliases": [], "role": "used"}],
        links=["https://github.com/acme/foonet"])])
    data = json.loads(_run(["eval", str(gold), "--input", str(FIXTURES / "page_with_meta.txt"),
                            "--json"], capsys))
    assert data["papers_missing"] == 0
    assert data["link"]["tp"] == 1 and data["dataset"]["tp"] == 1


def test_eval_command_external_suite(capsys):
    data = json.loads(_run(["eval", "--suite", "external", "--data-dir", str(EXTERNAL),
                            "--only", "scierc", "--json"], capsys))
    assert data["dataset_mentions"] is None and data["scierc"]["documents"] == 1


@pytest.mark.parametrize("argv, message", [
    (["eval"], "name a GOLD file"),
    (["eval", "g.jsonl"], "give either --input"),
    (["eval", "--data-dir", "x", "g.jsonl", "--predictions", "p"], "apply to --suite external"),
    (["eval", "--suite", "external", "--input", "pages"], "need a GOLD file"),
])
def test_eval_command_usage_errors(argv, message):
    parser = argparse.ArgumentParser(prog="kg")
    add_eval_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    with pytest.raises(KGError, match=message):
        args.func(args)
