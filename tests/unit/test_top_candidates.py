"""The retriever's partial sort picks exactly what a full stable sort would."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from knowledge.search.retrieval import _top


@given(
    st.lists(st.integers(min_value=0, max_value=6), max_size=300),
    st.integers(min_value=0, max_value=60),
    st.booleans(),
)
def test_the_best_candidates_in_order_with_ties_in_index_order(values: list[int], d: int, positive: bool) -> None:
    scores = np.asarray(values, dtype=np.float64) * 0.5  # few distinct values: many ties at the cut
    cand = np.where(scores > 0)[0] if positive else np.arange(scores.size)
    expected = cand[np.argsort(-scores[cand], kind="stable")][:d]
    assert np.array_equal(_top(cand, scores, d), expected)
