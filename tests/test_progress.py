"""The progress line of ``kg build`` / ``kg extract``: drawn on terminals only, in place."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from kg.progress import Progress, track

FIXTURES = Path(__file__).parent / "fixtures"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves: ``advance`` seconds per reading."""

    def __init__(self, advance: float) -> None:
        self.now, self.advance = 0.0, advance

    def __call__(self) -> float:
        self.now += self.advance
        return self.now


def test_a_terminal_gets_redrawn_lines_with_count_rate_and_eta():
    stream = FakeTTY()
    with Progress(100, stream=stream, clock=Clock(0.05)) as progress:
        for _ in range(100):
            progress.update()
    text = stream.getvalue()
    assert text.startswith("\r")
    drawn, summary, end = text.split("\n")  # redrawn in place, then a newline and a summary
    assert end == ""
    frames = drawn.split("\r")[1:]
    assert 5 < len(frames) < 100  # throttled: one frame per 0.2 s of a 5 s run, not per paper
    middle = frames[len(frames) // 2]
    count, total, rate, eta = re.match(
        r"([\d,]+)/([\d,]+) papers \(\d+%\)  ([\d.,]+) papers/s  ETA (\S+)", middle).groups()
    assert total == "100" and 0 < int(count) < 100
    assert float(rate) == pytest.approx(20, rel=0.2)  # one paper per 0.05 s
    assert re.fullmatch(r"\d+s", eta)
    assert frames[-1].startswith("100/100 papers (100%)") and "ETA 0s" in frames[-1]
    assert re.fullmatch(r"100 papers in \ds \([\d.]+ papers/s\)", summary)


def test_shorter_frames_blank_out_the_longer_one_before():
    stream = FakeTTY()
    progress = Progress(10, stream=stream, clock=Clock(1.0))
    progress.update()
    first = stream.getvalue()
    progress.update()
    second = stream.getvalue()[len(first):]
    assert len(second) >= len(first)  # padded with spaces over what was there
    progress.close()


def test_a_pipe_gets_nothing_and_a_forced_bar_draws_anyway():
    quiet = io.StringIO()
    assert list(track(range(50), 50, stream=quiet)) == list(range(50))
    assert quiet.getvalue() == ""
    forced = io.StringIO()
    assert list(track(range(5), 5, stream=forced, enabled=True)) == list(range(5))
    assert "5/5 papers" in forced.getvalue() and forced.getvalue().endswith("/s)\n")


def test_no_progress_on_a_terminal_writes_nothing():
    stream = FakeTTY()
    assert list(track(range(20), 20, stream=stream, enabled=False)) == list(range(20))
    assert stream.getvalue() == ""


def test_an_error_ends_the_line_without_a_summary():
    stream = FakeTTY()
    with pytest.raises(RuntimeError), Progress(10, stream=stream, clock=Clock(1.0)) as progress:
        progress.update()
        raise RuntimeError("boom")
    assert stream.getvalue().endswith("\n") and "papers in" not in stream.getvalue()


def _run_cli(monkeypatch, tmp_path, *flags: str) -> str:
    from kg.cli import main

    stream = FakeTTY()
    monkeypatch.setattr(sys, "stderr", stream)
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(FIXTURES / "page_with_meta.txt"), "--jobs", "1", "-o", str(out),
                 *flags]) == 0
    return stream.getvalue()


def test_the_cli_draws_on_a_terminal_unless_told_not_to(monkeypatch, tmp_path):
    assert re.search(r"\r3/3 papers \(100%\).*\n3 papers in \d+s",
                     _run_cli(monkeypatch, tmp_path))
    assert _run_cli(monkeypatch, tmp_path, "--no-progress") == ""


def test_the_cli_is_quiet_on_a_pipe_unless_told_to_draw(monkeypatch, tmp_path, capsys):
    from kg.cli import main

    out = tmp_path / "out.jsonl"
    args = ["extract", str(FIXTURES / "page_with_meta.txt"), "--jobs", "1", "-o", str(out)]
    assert main(args) == 0
    assert capsys.readouterr().err == ""
    assert main([*args, "--progress"]) == 0
    assert "3/3 papers" in capsys.readouterr().err
