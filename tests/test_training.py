"""The one training loop (vae.train.fit) behind the command line and the Train tab, the tab's handler
on tiny data, its settings' messages, and the bundled β sweep's figures."""

import gradio as gr
import numpy as np
import pytest
import torch

from playground import train as training
from playground.pictures import DIGIT_COLOURS
from playground.runs import SWEEP_BETAS, SettingsError, check_settings
from playground.train import Training, train_live
from tests.conftest import blob_digits
from ui import train as train_tab
from ui.models import Models
from vae.classifier import DigitClassifier
from vae.config import ClassifierConfig, VAEConfig
from vae.data import as_floats
from vae.model import VAE
from vae.subsets import Subset
from vae.train import TrainOptions, fit


@pytest.fixture
def tiny_subset(monkeypatch: pytest.MonkeyPatch) -> Subset:
    """64 training and 16 held-out images of bars, in place of the bundled subset, and an untrained judge."""
    rng = np.random.default_rng(0)
    train_images, train_labels = blob_digits(64, rng)
    test_images, test_labels = blob_digits(16, rng)
    subset = Subset(train_images, train_labels, test_images, test_labels)
    monkeypatch.setattr(training, "subset_of", lambda dataset: subset)
    torch.manual_seed(0)
    monkeypatch.setattr(
        training, "judge", lambda dataset: DigitClassifier(ClassifierConfig(channels=4)).eval()
    )
    return subset


def test_fit_yields_one_measured_epoch_at_a_time_and_stops_when_the_caller_does(tiny_subset: Subset) -> None:
    model = VAE(VAEConfig(latent_dim=2, hidden=32, architecture="mlp"))
    images, held_out = as_floats(tiny_subset.train_images), as_floats(tiny_subset.test_images)
    epochs = fit(model, images, held_out, TrainOptions(epochs=5, batch_size=16), progress=False)
    first = next(epochs)
    assert first.epoch == 1 and first.held_out.reconstruction > 0 and first.held_out.kl >= 0
    assert first.held_out.loss == pytest.approx(first.held_out.reconstruction + first.held_out.kl)
    weights = [p.detach().clone() for p in model.parameters()]
    epochs.close()  # what Stop does to a run: no further step is taken
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters(), strict=True))


def test_beta_weighs_the_kl_term(tiny_subset: Subset) -> None:
    images, held_out = as_floats(tiny_subset.train_images), as_floats(tiny_subset.test_images)
    kl = {}
    for beta in (0.0, 8.0):
        torch.manual_seed(0)
        model = VAE(VAEConfig(latent_dim=2, hidden=32, architecture="mlp"))
        options = TrainOptions(epochs=4, batch_size=16, beta=beta, kl_warmup=0.0, lr=1e-2)
        *_, last = fit(model, images, held_out, options, progress=False)
        kl[beta] = last.held_out.kl
    assert kl[8.0] < kl[0.0]


def test_a_live_run_yields_plain_data_before_training_and_once_per_epoch(tiny_subset: Subset) -> None:
    rows = list(train_live("mnist", 1.0, 3, 4))
    assert [row["epoch"] for row in rows] == [0, 1, 2, 3] and {row["epochs"] for row in rows} == {3}
    assert rows[0]["seconds"] == 0 and rows[0]["kl"] < rows[1]["kl"]  # untrained: every code near 0
    for row in rows:
        assert row["codes"].shape == (16, 2) and row["codes"].dtype == np.float32
        assert row["manifold"].dtype == np.uint8 and row["manifold"].shape == (144, 28, 28)
        assert row["samples"].shape == (16, 28, 28)
        assert row["loss"] == pytest.approx(row["reconstruction"] + row["kl"], abs=0.02)
    assert [row["prior_share"] is None for row in rows] == [True, True, True, False]  # judged at the end
    assert 0 <= rows[-1]["prior_share"] <= 1
    again = list(train_live("mnist", 1.0, 3, 4))
    assert [row["reconstruction"] for row in again] == [row["reconstruction"] for row in rows]


def test_measuring_the_untrained_model_leaves_the_runs_noise_as_it_was(tiny_subset: Subset) -> None:
    model = training.seeded_model(VAEConfig(dataset="mnist", **training.LIVE_CONFIG), 4)
    images, held_out = as_floats(tiny_subset.train_images), as_floats(tiny_subset.test_images)
    noise = torch.Generator().manual_seed(4)
    unmeasured = fit(
        model,
        images,
        held_out,
        training.live_options(1.0, 3, 4),
        torch.device("cpu"),
        progress=False,
        noise=noise,
    )
    live = list(train_live("mnist", 1.0, 3, 4))[1:]
    assert [row["reconstruction"] for row in live] == [
        round(epoch.held_out.reconstruction, 2) for epoch in unmeasured
    ]


@pytest.mark.parametrize(
    ("beta", "epochs", "seed", "message"),
    [
        (float("nan"), 5, 0, "β must be a number from 0 to 10, not nan."),
        (-1.0, 5, 0, "β must be a number from 0 to 10, not -1.0."),
        (1.0, 10_000, 0, "Epochs must be a whole number from 1 to 30, not 10000."),
        (1.0, 2.5, 0, "Epochs must be a whole number from 1 to 30, not 2.5."),
        (1.0, 5, -3, "The seed must be a whole number from 0 to 2147483647, not -3."),
        (1.0, 5, None, "The seed must be a whole number from 0 to 2147483647, not None."),
    ],
)
def test_bad_settings_get_a_message(beta: float, epochs: float, seed: float | None, message: str) -> None:
    with pytest.raises(SettingsError) as error:
        check_settings(beta, epochs, seed)
    assert str(error.value) == message


@pytest.fixture(scope="module")
def models() -> Models:
    """The bundled models and the MNIST sweep's figures, loaded before any test swaps the subset for a
    tiny one."""
    models = Models().start_loading()
    assert len(models["mnist"].train.sweep) == len(SWEEP_BETAS)
    return models


class Visitor:
    """What the handler reads of gr.Request: the visitor's session."""

    session_hash = "visitor"


def test_the_tabs_handler_streams_an_update_per_epoch_and_stop_ends_the_run(
    models: Models, tiny_subset: Subset, monkeypatch: pytest.MonkeyPatch
) -> None:
    with gr.Blocks():
        tab = train_tab.build(models, gr.Radio(["mnist"]))
    monkeypatch.setattr(models["mnist"].train, "labels", tiny_subset.test_labels)
    run = tab.train("mnist", 2.0, 4, 1, Visitor())
    before, first, second = next(run), next(run), next(run)
    assert before[tab.reading].startswith("**Before training** (epoch 0 of 4, the weights as initialised)")
    assert np.asarray(before[tab.run_map]).shape == (training.MAP.height, training.MAP.width, 3)
    assert [row["epoch"] for row in second[tab.figures]] == [0, 1, 2]
    assert set(second[tab.figures][0]) == {"epoch", "reconstruction", "kl", "loss", "active_dims"}
    assert second[tab.reading].startswith("**Epoch 2 of 4**") and "nats" in second[tab.reading]
    assert np.asarray(first[tab.run_map]).shape == (training.MAP.height, training.MAP.width, 3)
    assert np.asarray(first[tab.run_map]).tobytes() != np.asarray(second[tab.run_map]).tobytes()
    tab.stop(Visitor())  # Stop: the run ends before its next epoch; what it showed stays on the page
    assert next(run) == {
        tab.reading: f"**Stopped**, as you asked; the run keeps what it drew. {second[tab.reading]}"
    }
    with pytest.raises(StopIteration):
        next(run)
    assert len(list(tab.train("mnist", 2.0, 2, 1, Visitor()))) == 3  # the next run is not stopped
    with pytest.raises(gr.Error, match="Epochs must be a whole number from 1 to 30, not 10000"):
        next(tab.train("mnist", 1.0, 10_000, 0))


def test_a_run_on_a_just_started_server_says_it_is_starting_before_torch_has_loaded(
    models: Models, tiny_subset: Subset, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not Models().training_ready() and models.training_ready()
    with gr.Blocks():
        tab = train_tab.build(models, gr.Radio(["mnist"]))
    monkeypatch.setattr(models["mnist"].train, "labels", tiny_subset.test_labels)
    monkeypatch.setattr(models, "training_ready", lambda: False)
    run = tab.train("mnist", 0.5, 2, 7, Visitor())
    assert next(run) == {
        tab.reading: train_tab.STARTING.format(beta=0.5, epochs=2, seed=7),
        tab.figures: [],
    }
    assert "β = 0.5, 2 epochs, seed 7" in train_tab.STARTING.format(beta=0.5, epochs=2, seed=7)
    assert next(run)[tab.reading].startswith("**Before training** (epoch 0 of 2")


def test_the_untrained_models_reading_does_not_wait_for_the_bundled_run() -> None:
    fresh = Training("mnist")
    untrained = {"epoch": 0, "epochs": 5, "seconds": 0.0, "beta": 1.2, "reconstruction": 543.0, "kl": 0.01}
    row = untrained | {"loss": 543.01, "codes": np.zeros((4, 2), np.float32), "prior_share": None}
    assert fresh.held_against(row) is None
    assert "bundled run" not in fresh.reading(row) and fresh.reading(row).startswith("**Before training**")
    assert fresh.held_against(row | {"epoch": 1}).beta == 1  # a trained epoch waits for it
    assert fresh.held_against(row) is fresh.nearest(1.2)  # measured now, so epoch 0 shows it too
    assert "The bundled run at β = 1 ended at" in fresh.reading(row)


def test_the_bundled_sweep_shows_the_kl_term_at_work(models: Models) -> None:
    sweep = models["mnist"].train.sweep
    assert [run.beta for run in sweep] == list(SWEEP_BETAS)
    reconstruction = [run.figures["reconstruction"] for run in sweep]
    kl = [run.figures["kl"] for run in sweep]
    assert reconstruction == sorted(reconstruction) and kl == sorted(kl, reverse=True)
    inside = [training.within_two_sigma(run.snapshot["codes"]) for run in sweep]
    assert inside[-1] > inside[0]
    table = models["mnist"].train.sweep_table(0.963)
    assert "the held-out reconstruction rises from" in table and "the KL falls from" in table
    assert "N(0, I) itself puts 86% of its codes within 2σ" in table  # 1 − e⁻², P(χ²₂ ≤ 4)
    assert "the classifier is sure of 96% of the held-out images themselves" in table
    assert f"| 1 | {sweep[2].figures['reconstruction']:.1f} |" in table
    active = {run.figures["active_dims"] for run in sweep}
    if len(active) == 1:  # a column that says the same on every row gives way to one sentence
        assert "active dimensions |" not in table and f"every run here keeps {min(active)} of its 2" in table
    else:
        assert "| active dimensions |" in table


def test_a_share_beyond_the_frame_that_rounds_to_nothing_is_not_read_out(models: Models) -> None:
    one = models["mnist"].train
    row = {"epoch": 3, "epochs": 12, "seconds": 1.0, "beta": 1.0, "reconstruction": 160.0, "kl": 5.0}
    row |= {"loss": 165.0, "prior_share": 0.5}
    codes = np.zeros((1000, 2), np.float32)
    codes[0] = 9.0  # one code of 1,000 beyond the map's edge: 0.1 %, "0%" to a reader
    assert "beyond the frame" not in one.reading(row | {"codes": codes})
    codes[:30] = 9.0
    assert "3% beyond the frame" in one.reading(row | {"codes": codes})


def test_the_sweep_is_measured_as_a_live_runs_last_epoch(models: Models) -> None:
    one = models["mnist"].train
    assert isinstance(one, Training) and len(one.labels) == 1000
    row = {"epoch": 12, "epochs": 12, "seconds": 14.0, "beta": 1.0, "reconstruction": 160.0, "kl": 5.0}
    reading = one.reading(row | {"loss": 165.0} | one.sweep[2].snapshot)
    assert "The bundled run at β = 1 ended at" in reading


def test_the_curves_hold_a_run_against_the_bundled_run_nearest_in_beta(models: Models) -> None:
    records = [
        {"epoch": 1, "reconstruction": 190.0, "kl": 3.0},
        {"epoch": 2, "reconstruction": 175.0, "kl": 4.0},
    ]
    bundled = models["mnist"].train.nearest(2.4)
    assert bundled.beta == 3
    curve = train_tab.curves(records, bundled, 5)
    mine, line = curve[curve.run == train_tab.YOURS], curve[curve.run == train_tab.BUNDLED]
    assert mine[["epoch", "reconstruction", "kl"]].to_dict("records") == records
    assert line.epoch.tolist() == [1, 2, 3, 4, 5]  # across the whole run's axis, every epoch a label on it
    assert curve[train_tab.EPOCH_LABEL].tolist() == ["1", "2", "1", "2", "3", "4", "5"]

    assert set(line.reconstruction) == {bundled.figures["reconstruction"]} and set(line.kl) == {
        bundled.figures["kl"]
    }


def test_a_short_runs_curves_label_each_epoch_and_a_long_ones_number_the_axis() -> None:
    assert train_tab.epoch_axis(3) == {"x": train_tab.EPOCH_LABEL, "sort": ["1", "2", "3"]}
    assert train_tab.epoch_axis(train_tab.NUMBERED_FROM_EPOCHS) == {
        "x": "epoch",
        "x_lim": [1, train_tab.NUMBERED_FROM_EPOCHS],
    }


def test_the_sweep_maps_come_with_their_class_colours_named(models: Models) -> None:
    with gr.Blocks():
        tab = train_tab.build(models, gr.Radio(["mnist"]))
    legend = tab.sweep("fashion-mnist")[tab.sweep_legend]
    assert legend.count('class="swatch"') == 10 and "ankle boot" in legend
    assert f"background:{DIGIT_COLOURS[9]}" in legend.split("ankle boot")[0].rsplit("swatch", 1)[-1]
