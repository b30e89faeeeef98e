"""paperkg's statistical NER: training data, config and evaluation of a CPU tok2vec + ner model.

The model is trained here (``make model``) on SciERC train, the ``dataset_mentions`` train
sentences and silver labels our rules make on paperlists abstracts, and shipped in
``extractors/models/sci-ner`` so extraction loads it offline. ``extractors.components.ner``
sources it into the rule pipeline, where rule spans win on overlap.
"""

from __future__ import annotations

from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "sci-ner"

# Labels the model predicts -> the entity types of the contract.
LABELS: dict[str, str] = {
    "MODEL": "model", "DATASET": "dataset", "METHOD": "method", "TASK": "task",
    "METRIC": "metric",
}
