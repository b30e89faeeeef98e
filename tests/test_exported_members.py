"""The public API stays what ``kg.__all__`` says, sorted, and importable."""

import inspect

import kg


def test_all_is_sorted_and_complete():
    assert kg.__all__ == sorted(kg.__all__)
    public = {name for name, value in vars(kg).items()
              if not name.startswith("_") and not inspect.ismodule(value)}
    assert public == set(kg.__all__)


def test_errors_are_also_builtins():
    assert issubclass(kg.ParseError, ValueError) and issubclass(kg.ParseError, kg.KGError)
    assert issubclass(kg.NotFoundError, LookupError)
    assert issubclass(kg.StoreError, OSError)
