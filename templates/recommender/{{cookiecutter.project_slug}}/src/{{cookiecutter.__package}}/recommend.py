"""Top-k recommendations for one user, with titles, from the model validation (or config) chose.

A known user is scored from everything they have done so far. An unknown user falls back to
the cold-start model, seeded with any items they name (``--seen``), and the answer says so:
a silent fallback would hide how often the product serves people it knows nothing about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.modelfile import ModelFileError
from {{ cookiecutter.__package }}.models import Recommender, load_model
from {{ cookiecutter.__package }}.prepare import load_dataset
from {{ cookiecutter.__package }}.tuning import served_models

__all__ = ["Recommendation", "RecommendationService", "recommend_for"]


@dataclass(frozen=True)
class Recommendation:
    """What ``recommend`` returns: the list, which model made it, and why that model."""

    user_id: str
    model: str
    cold_start: bool
    items: list[tuple[str, str]]
    note: str
    item_noun: str = "item"

    def to_text(self) -> str:
        """Render the list the way the command prints it."""
        lines = [self.note]
        width = len(str(len(self.items)))
        for rank, (item_id, title) in enumerate(self.items, start=1):
            lines.append(f"{rank:>{width}}. {title} ({self.item_noun} {item_id})")
        return "\n".join(lines)


class RecommendationService:
    """Loads the data and the two serving models once, then answers requests from memory.

    The command line makes one per call; the API makes one at start-up, so a request costs
    one matrix-vector product and a top-k, not a reload.
    """

    def __init__(self, config: Config) -> None:
        """Load the split and the two serving models.

        Raises:
            FileNotFoundError: the pipeline has not run (``make all``).
            ModelFileError: a model file is missing, damaged, names an untrusted type, or
                was trained on another catalogue than the data's.

        """
        self.config = config
        self.dataset = load_dataset(config)
        data = self.dataset
        self.history = data.everything
        self.user_rows = {str(user): row for row, user in enumerate(data.user_ids)}
        self.item_index = {str(item): i for i, item in enumerate(data.item_ids)}
        self.serve_model, self.cold_start_model = served_models(config)
        self.models = {
            name: self._load(name)
            for name in dict.fromkeys((self.serve_model, self.cold_start_model))
        }
        # What anyone is shown when nothing at all is known of them: no model can personalise
        # an empty history, and models that score from one would rank arbitrarily.
        self.most_popular = np.argsort(
            -np.asarray(data.everything.sum(axis=0)).ravel(), kind="stable"
        )
        self.examples = data.examples()

    def _load(self, name: str) -> Recommender:
        model = load_model(self.config.models_dir / f"{name}.skops")
        if model.n_items_ != self.dataset.item_ids.size:
            raise ModelFileError(
                f"{name}.skops was trained on {model.n_items_:,} items but the data has "
                f"{self.dataset.item_ids.size:,}: run `make train`"
            )
        return model

    def recommend(
        self, user_id: str, *, k: int | None = None, seen: Sequence[str] = ()
    ) -> Recommendation:
        """Return the top ``k`` unseen items for ``user_id`` (the config's k by default).

        Raises:
            ValueError: an item in ``seen`` is not in the catalogue.

        """
        k = k or self.config.evaluation.k
        names = self.config.names
        row = self.user_rows.get(str(user_id))
        if row is not None:
            history = self.history[row]
            name, cold = self.serve_model, False
            note = (
                f"Top {k} for {names.user} {user_id} from '{name}', "
                f"based on {history.nnz} past interactions:"
            )
        else:
            unknown = [str(item) for item in seen if str(item) not in self.item_index]
            if unknown:
                raise ValueError(f"items not in the catalogue: {', '.join(unknown)}")
            columns = [self.item_index[str(item)] for item in dict.fromkeys(seen)]
            history = sparse.csr_matrix(
                (np.ones(len(columns), dtype=np.float32), ([0] * len(columns), columns)),
                shape=(1, self.dataset.item_ids.size),
            )
            if not columns:
                top = self.most_popular[: min(k, self.most_popular.size)]
                note = (
                    f"{names.user.capitalize()} {user_id} is unknown and no {names.items} were "
                    f"given: the most popular {names.items}:"
                )
                return self._answer(user_id, "popularity", top, note)
            name, cold = self.cold_start_model, True
            basis = f"the {len(columns)} {names.items} given"
            if name == "content" and self.dataset.features is None:
                basis += "; with no item features it ranks by popularity alone"
            note = (
                f"{names.user.capitalize()} {user_id} is unknown: cold-start recommendations "
                f"from '{name}', based on {basis}:"
            )
        top = self.models[name].recommend(history, k)[0]
        return self._answer(user_id, name, top, note, cold=cold)

    def _answer(
        self, user_id: str, model: str, top: np.ndarray, note: str, *, cold: bool = True
    ) -> Recommendation:
        items = [(str(self.dataset.item_ids[i]), str(self.dataset.titles[i])) for i in top]
        return Recommendation(str(user_id), model, cold, items, note, self.config.names.item)


def recommend_for(
    config: Config, user_id: str, *, k: int | None = None, seen: Sequence[str] = ()
) -> Recommendation:
    """Return the top ``k`` unseen items for ``user_id``: one-off use of the service.

    Raises:
        FileNotFoundError: the pipeline has not been run (``make all``).
        ModelFileError: a serving model cannot be loaded safely.
        ValueError: an item in ``seen`` is not in the catalogue.

    """
    return RecommendationService(config).recommend(user_id, k=k, seen=seen)
