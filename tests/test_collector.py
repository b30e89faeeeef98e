"""``kg.collector``: a build's kept objects are frozen as it goes and handed back at its end."""

from __future__ import annotations

import gc

from kg.collector import freezing, sparing_kept


def _walked(thing: object) -> bool:
    """The collector still walks ``thing`` (frozen objects are in none of its generations)."""
    return any(other is thing for other in gc.get_objects())


def test_freezing_freezes_before_the_first_item_and_every_n_items() -> None:
    before = ["alive before the build"]
    kept: list[list[int]] = []
    with sparing_kept():
        for item in freezing(range(7), every=3):
            kept.append([item])  # what a store keeps of each item
            if item == 0:
                assert not _walked(before)
        assert not _walked(kept[5])  # frozen after the sixth item
        assert _walked(kept[6])  # the seventh came after the last freeze
    assert gc.get_freeze_count() == 0
    assert _walked(before) and _walked(kept[0])  # all handed back


def test_objects_frozen_by_the_caller_stay_frozen() -> None:
    gc.freeze()
    try:
        theirs = gc.get_freeze_count()
        with sparing_kept():
            list(freezing(range(2)))
        assert gc.get_freeze_count() >= theirs > 0
    finally:
        gc.unfreeze()


def test_an_error_inside_still_unfreezes() -> None:
    try:
        with sparing_kept():
            for _ in freezing(range(5), every=1):
                raise RuntimeError("store failed")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
