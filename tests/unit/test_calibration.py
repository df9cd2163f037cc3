"""The confidence calibration: P(answerable) x P(right pick | answerable), stored and fitted."""

from __future__ import annotations

import random

import pytest

from switchboard.devtools.bench.calibrate import fit_calibration
from switchboard.knowledge.confidence import Calibration, Logistic, calibration_for


def _rows(n: int = 2000, seed: int = 0) -> list[dict[str, object]]:
    """Answerability follows ``dense_z``; among answerable questions, a right pick follows ``agree``."""
    rnd = random.Random(seed)
    rows: list[dict[str, object]] = []
    for _ in range(n):
        dense_z, agree = rnd.uniform(-3, 3), float(rnd.random() < 0.5)
        answerable = rnd.random() < 1 / (1 + 2.718281828 ** (-2 * dense_z))
        right = answerable and rnd.random() < (0.9 if agree else 0.3)
        rows.append({"features": {"dense_z": dense_z, "agree": agree}, "answerable": answerable, "right": right})
    return rows


def test_the_two_parts_are_fitted_on_their_own_questions_and_multiplied() -> None:
    calibration = fit_calibration(_rows(), ("dense_z", "agree"))
    assert calibration.pick is not None
    # Answerability is read from dense_z; whether the pick is right, from agreement alone.
    answerable = dict(zip(calibration.answerable.features, calibration.answerable.weights, strict=True))
    pick = dict(zip(calibration.pick.features, calibration.pick.weights, strict=True))
    assert answerable["dense_z"] > 1.5 and abs(answerable["agree"]) < 0.5
    assert pick["agree"] > 1.5 and abs(pick["dense_z"]) < 0.3
    sure = {"dense_z": 3.0, "agree": 1.0}
    assert calibration(sure) == pytest.approx(calibration.answerable(sure) * calibration.pick(sure))
    assert 0.8 < calibration(sure) < 0.95  # about 0.997 x 0.9
    assert calibration({"dense_z": 3.0, "agree": 0.0}) == pytest.approx(0.3, abs=0.07)
    assert calibration({"dense_z": -3.0, "agree": 1.0}) < 0.01


def test_a_calibration_reads_back_as_stored_and_the_single_model_form_still_reads() -> None:
    calibration = fit_calibration(_rows(500), ("dense_z", "agree"))
    again = Calibration.from_dict(calibration.as_dict())
    features = {"dense_z": 0.7, "agree": 1.0}
    assert again is not None and again(features) == pytest.approx(calibration(features), abs=1e-5)
    single = Calibration.from_dict({"features": ["score"], "weights": [2.0], "bias": -1.0})
    assert single == Calibration(Logistic(("score",), (2.0,), -1.0))
    assert single is not None and single({"score": 0.5}) == pytest.approx(0.5)
    assert single.as_dict() == {"features": ["score"], "weights": [2.0], "bias": -1.0}


def test_the_shipped_dense_calibrations_have_both_parts() -> None:
    for key in ("extractive+dense", "retrieval+dense"):
        calibration = calibration_for(key)
        assert calibration is not None and calibration.pick is not None, key
        assert set(calibration.answerable.features) == set(calibration.pick.features)


@pytest.mark.parametrize(
    "entry",
    [
        {"features": ["no_such_feature"], "weights": [1.0], "bias": 0.0},
        {"features": ["score", "margin"], "weights": [1.0], "bias": 0.0},
        {"features": ["score"], "weights": [1.0]},
        {"answerable": {"features": ["score"], "weights": [1.0], "bias": 0.0}, "pick": {"features": []}},
        {"answerable": "nonsense"},
        {"answerable": {"features": ["score"], "weights": [1.0], "bias": 0.0}},
        {"features": ["score"], "weights": ["heavy"], "bias": 0.0},
        {"features": ["score"], "weights": [1.0], "bias": None},
        {"features": "score", "weights": [1.0], "bias": 0.0},
        [],
    ],
)
def test_an_unusable_stored_calibration_is_not_used(entry: object) -> None:
    assert Calibration.from_dict(entry) is None


def test_fitting_needs_both_outcomes_in_each_part() -> None:
    rows = _rows(300)
    with pytest.raises(SystemExit, match="answerable"):
        fit_calibration([r for r in rows if r["answerable"]], ("dense_z", "agree"))
    with pytest.raises(SystemExit, match="right"):  # answerable questions, every pick right
        fit_calibration([r for r in rows if r["right"] or not r["answerable"]], ("dense_z", "agree"))
