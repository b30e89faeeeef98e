"""The public API stays what ``kg.__all__`` says, sorted, and importable."""

import kg


def test_all_is_sorted_and_complete():
    assert kg.__all__ == sorted(kg.__all__)
    public = {name for name in dir(kg) if not name.startswith("_")}
    exported = set(kg.__all__)
    modules = {"api", "atomic", "build", "errors", "exporters", "ids", "link", "links", "model",
               "query", "readers", "schema", "stores"}
    assert public - modules == exported


def test_errors_are_also_builtins():
    assert issubclass(kg.ParseError, ValueError) and issubclass(kg.ParseError, kg.KGError)
    assert issubclass(kg.NotFoundError, LookupError)
    assert issubclass(kg.StoreError, OSError)
