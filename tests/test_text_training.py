"""The character MLP and its trainer: the hand-written step against autograd, sampling, and argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from collapse_kit.text.data import real_passages
from collapse_kit.text.models import VOCABULARY, CharMLP, _draw, contexts_and_targets
from collapse_kit.text.training import CharMLPTrainingStep, autograd_step, train_char_model


def real(count: int = 64, length: int = 64, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(real_passages(count, length, np.random.default_rng(seed)))


@pytest.mark.parametrize("context, embedding, hidden, batch", [(8, 16, 64, 32), (3, 5, 300, 7), (1, 2, 1, 1)])
def test_the_hand_written_step_gives_autograds_loss_and_gradients(context, embedding, hidden, batch):
    torch.manual_seed(0)
    model = CharMLP(context, embedding, hidden)
    with torch.no_grad():  # move off the small-logit start so every layer's gradient is sizeable
        for parameter in model.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    windows = torch.randint(0, VOCABULARY, (batch, context + 1))
    windows[0, :-1] = windows[0, -1]  # a target that also appears in its context: the embedding sums both paths
    ours = CharMLPTrainingStep(model, batch)(windows)
    our_grads = [parameter.grad.clone() for parameter in model.parameters()]
    reference = autograd_step(model)(windows)
    torch.testing.assert_close(ours, reference, rtol=1e-6, atol=1e-6)
    for (name, parameter), grad in zip(model.named_parameters(), our_grads):
        torch.testing.assert_close(grad, parameter.grad, rtol=1e-5, atol=1e-7, msg=name)


def test_the_step_refuses_another_model():
    with pytest.raises(TypeError, match="CharMLPTrainingStep needs a CharMLP"):
        CharMLPTrainingStep(torch.nn.Linear(3, 3), 4)


def test_training_lowers_the_loss_and_repeats_exactly_with_its_seed():
    passages = real(128, 64)
    results, states = [], []
    for _ in range(2):
        torch.manual_seed(1)
        model = CharMLP(context=4, embedding=8, hidden=64)
        results.append(train_char_model(model, passages, epochs=3, batch_size=128, learning_rate=1e-2, seed=5,
                                        progress=False, device="cpu"))
        states.append(model.state_dict())
    losses = results[0].loss_per_epoch
    assert len(losses) == 3 and losses[-1] < losses[0] < math.log(VOCABULARY) + 0.05
    assert results[0].loss_per_epoch == results[1].loss_per_epoch
    for name in states[0]:
        torch.testing.assert_close(states[0][name], states[1][name], rtol=0, atol=0)
    assert results[0].characters_seen == 3 * (128 * 64 // 128) * 128


def test_hand_written_and_autograd_training_end_at_the_same_loss():
    ends = []
    for hand_written in (True, False):
        torch.manual_seed(2)
        model = CharMLP(context=4, embedding=8, hidden=32)
        result = train_char_model(model, real(32, 64), epochs=2, batch_size=64, seed=3, progress=False,
                                  device="cpu", hand_written=hand_written)
        ends.append(result.loss_per_epoch[-1])
    assert ends[0] == pytest.approx(ends[1], rel=1e-4)


def test_a_step_budget_trains_exactly_that_many_batches():
    model = CharMLP(context=2, embedding=4, hidden=8)
    result = train_char_model(model, real(16, 32), epochs=1, batch_size=64, steps=20, progress=False, device="cpu")
    assert result.characters_seen == 20 * 64 and len(result.loss_per_epoch) == 3  # 8 batches an epoch: 8 + 8 + 4


def test_the_table_path_scores_as_the_forward_pass_does():
    torch.manual_seed(0)
    model = CharMLP(context=5, embedding=6, hidden=40).eval()
    passages = real(6, 50)
    windows = contexts_and_targets(passages, 5).long()
    direct = torch.nn.functional.cross_entropy(model(windows[:, :-1]), windows[:, -1], reduction="none")
    torch.testing.assert_close(model.nats_per_character(passages), direct.reshape(6, 50).mean(dim=1))


def test_contexts_begin_with_newlines_before_a_passage():
    windows = contexts_and_targets(torch.tensor([[5, 6, 7]], dtype=torch.uint8), 2)
    assert windows.tolist() == [[0, 0, 5], [0, 5, 6], [5, 6, 7]]


def test_sampling_follows_its_seed_and_top_k():
    torch.manual_seed(0)
    model = CharMLP(context=3, embedding=4, hidden=16).eval()
    first = model.sample(20, 30, generator=torch.Generator().manual_seed(7))
    again = model.sample(20, 30, generator=torch.Generator().manual_seed(7))
    assert first.shape == (20, 30) and first.dtype == torch.uint8 and torch.equal(first, again)
    # top-1 is greedy: each character is the likeliest after its context
    greedy = model.sample(4, 12, top_k=1, generator=torch.Generator().manual_seed(1))
    windows = contexts_and_targets(greedy, 3).long()
    assert torch.equal(model(windows[:, :-1]).argmax(dim=1), windows[:, -1])


def test_draws_follow_the_softmax_and_never_pick_a_zero_weight():
    logits = torch.log(torch.tensor([[0.1, 0.0, 0.6, 0.3]])).repeat(100_000, 1)
    drawn = _draw(logits, torch.Generator().manual_seed(0))
    shares = torch.bincount(drawn, minlength=4) / 100_000
    assert shares[1] == 0
    # each share within 4 standard errors of its probability
    expected = torch.tensor([0.1, 0.0, 0.6, 0.3])
    assert torch.all((shares - expected).abs() <= 4 * torch.sqrt(expected * (1 - expected) / 100_000) + 1e-9)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.sample(0, 5), "count must be >= 1, got 0"),
    (lambda m: m.sample(2, 5, temperature=0.0), r"temperature must be in \(0, 10\], got 0"),
    (lambda m: m.sample(2, 5, top_k=66), "top_k must be <= 65, got 66"),
    (lambda m: train_char_model(m, real(2, 16), 1, batch_size=64, progress=False), "batch_size=64 is larger"),
    (lambda m: train_char_model(m, real(2, 16), 0, progress=False), "epochs must be >= 1, got 0"),
    (lambda m: train_char_model(m, real(2, 16), 1, learning_rate=-1.0, progress=False), "learning_rate must be"),
    (lambda m: CharMLP(context=0), "context must be >= 1, got 0"),
    (lambda m: CharMLP(hidden=0), "hidden must be >= 1, got 0")])
def test_bad_arguments_are_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call(CharMLP(context=2, embedding=2, hidden=4))
