import pytest

from {{ cookiecutter.__package }}.progress import StageBar


def test_stages_run_in_the_declared_order() -> None:
    with StageBar(["one", "two"], "demo") as bar:
        bar.start("one")
        with pytest.raises(ValueError, match="out of order"):
            bar.start("three")
        bar.start("two")
