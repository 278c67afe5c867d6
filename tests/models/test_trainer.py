"""CollaborativeTrainer (Deposit, Refund and Take) on anvil with a sparse binary perceptron: every
external function and revert path, with ETH balances checked."""

from __future__ import annotations

import pytest

from apps.chain import onchain_models as om
from apps.chain.client import TransactionFailed
from tests.models.conftest import advance

BASE = 10**15  # wei
T, T_CREATOR, T_ANYONE = 3_600, 7 * 86_400, 30 * 86_400
GOOD_X, BAD_X = [1, 5, 9], [2, 6, 10]


@pytest.fixture
def drt(w3, roles, make_model):
    """A binary sparse perceptron whose weights say 'GOOD_X is class 1, BAD_X class 0', trained
    only through its trainer; the oracle key is the creator."""
    created = om.create_model(
        w3=w3,
        owner=roles.oracle,
        kind="perceptron",
        class_names=["neg", "pos"],
        params=om.perceptron_params(num_features=20, sparse=True, binary=True),
    )
    model = created.contract
    weights = [0] * 21
    for f in GOOD_X:
        weights[f] = 5 * om.SCALE
    for f in BAD_X:
        weights[f] = -5 * om.SCALE
    om.load_values(model=model, values=weights, owner=roles.oracle)
    trainer = om.create_trainer(
        w3=w3,
        creator=roles.oracle,
        model=model,
        params=om.trainer_params(
            refund_wait=T, creator_wait=T_CREATOR, anyone_wait=T_ANYONE, pricing=om.crowd_pricing(BASE)
        ),
    ).contract
    om.seal(model=model, owner=roles.oracle, trainer=trainer.address)
    advance(w3, 10)
    return model, trainer


def balance_change(w3, account, action):
    before = w3.eth.get_balance(account.address)
    sent = action()
    fee = sent.receipt["gasUsed"] * sent.receipt["effectiveGasPrice"]
    return w3.eth.get_balance(account.address) - before + fee


def good_contributor(w3, trainer, account):
    """`account` adds agreeing data and has it refunded: one good contribution."""
    added = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=account)
    advance(w3, T)
    om.refund(trainer=trainer, contribution=added.contribution, sender=account)


def test_deposit_is_required_and_its_price_follows_the_arrival_rate(w3, drt, roles):
    _, trainer = drt
    alice = roles.workers[0]
    assert trainer.functions.requiredDeposit().call() == BASE  # 10 s since the last contribution
    with pytest.raises(TransactionFailed, match="DepositTooLow"):
        om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=alice, deposit=BASE - 1)
    om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=alice)
    # In the very next block (1 s later on anvil's clock, or the same second) the price is capped at 2x.
    assert BASE < trainer.functions.requiredDeposit().call() <= 2 * BASE


def test_paper_pricing_is_3600_times_the_base_one_second_apart(w3, roles, make_model):
    model = make_model(
        kind="perceptron",
        class_names=["n", "p"],
        seal=False,
        params=om.perceptron_params(num_features=4, sparse=True, binary=True),
    )
    trainer = om.create_trainer(
        w3=w3,
        creator=roles.oracle,
        model=model,
        params=om.trainer_params(refund_wait=1, creator_wait=1, anyone_wait=1, pricing=om.paper_pricing(BASE)),
    ).contract
    advance(w3, 1)
    assert trainer.functions.requiredDeposit().call() == 3_600 * BASE
    advance(w3, 86_399)
    assert trainer.functions.requiredDeposit().call() == BASE * 12_247_448 // 10**6  # 3600 / sqrt(86400)


def test_wait_times_must_be_ordered(w3, roles, make_model):
    model = make_model(
        kind="perceptron",
        class_names=["n", "p"],
        seal=False,
        params=om.perceptron_params(num_features=4, sparse=True, binary=True),
    )
    for waits in ((0, 1, 1), (10, 5, 20), (10, 20, 15)):
        with pytest.raises(TransactionFailed, match="0x"):
            om.create_trainer(
                w3=w3,
                creator=roles.oracle,
                model=model,
                params=om.trainer_params(
                    refund_wait=waits[0], creator_wait=waits[1], anyone_wait=waits[2], pricing=om.crowd_pricing(BASE)
                ),
            )


def test_refund_after_the_wait_when_the_model_agrees(w3, drt, roles):
    _, trainer = drt
    alice = roles.workers[0]
    added = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=alice)
    assert added.contribution.deposit == BASE and added.contribution.predicted_at_add == 1
    with pytest.raises(TransactionFailed, match="TooEarly"):
        om.refund(trainer=trainer, contribution=added.contribution, sender=alice)
    advance(w3, T)
    with pytest.raises(TransactionFailed, match="NotContributor"):
        om.refund(trainer=trainer, contribution=added.contribution, sender=roles.stranger)
    assert (
        balance_change(w3, alice, lambda: om.refund(trainer=trainer, contribution=added.contribution, sender=alice))
        == BASE
    )
    assert trainer.functions.goodData(alice.address).call() == 1 == trainer.functions.totalGoodData().call()
    assert trainer.functions.remainingDeposit(added.contribution.id).call() == 0
    with pytest.raises(TransactionFailed, match="NoDeposit"):
        om.refund(trainer=trainer, contribution=added.contribution, sender=alice)
    assert [c.id for c in om.contributions(trainer=trainer)] == [added.contribution.id]


def test_no_refund_when_the_model_disagrees(w3, drt, roles):
    _, trainer = drt
    mallory = roles.workers[1]
    added = om.add_data(trainer=trainer, x=BAD_X, label=1, sender=mallory)
    advance(w3, T)
    with pytest.raises(TransactionFailed, match="ModelDisagrees"):
        om.refund(trainer=trainer, contribution=added.contribution, sender=mallory)


def test_data_the_model_learned_only_from_itself_is_not_refunded(w3, drt, roles):
    model, trainer = drt
    mallory = roles.workers[1]
    x = [15]  # a feature with zero weight: the model says 0, the update flips it to 1
    added = om.add_data(trainer=trainer, x=x, label=1, sender=mallory)
    assert added.contribution.predicted_at_add == 0
    assert om.predict(model=model, x=x) == 1  # the model now agrees, but only because of this point
    advance(w3, T)
    with pytest.raises(TransactionFailed, match="ModelDisagrees"):
        om.refund(trainer=trainer, contribution=added.contribution, sender=mallory)


def test_a_metadata_that_does_not_match_the_record_is_refused(w3, drt, roles):
    _, trainer = drt
    alice = roles.workers[0]
    added = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=alice)
    advance(w3, T)
    inflated = om.Contribution(**{**added.contribution.__dict__, "deposit": 100 * BASE})
    with pytest.raises(TransactionFailed, match="RecordMismatch"):
        om.refund(trainer=trainer, contribution=inflated, sender=alice)


def test_take_rules(w3, drt, roles):
    _, trainer = drt
    alice, bob, mallory = roles.workers[:3]
    bad = om.add_data(trainer=trainer, x=BAD_X, label=1, sender=mallory).contribution
    with pytest.raises(TransactionFailed, match="CannotTakeOwn"):
        om.report(trainer=trainer, contribution=bad, sender=mallory)
    with pytest.raises(TransactionFailed, match="TooEarly"):
        om.report(trainer=trainer, contribution=bad, sender=alice)
    advance(w3, T)
    with pytest.raises(TransactionFailed, match="NoGoodData"):
        om.report(trainer=trainer, contribution=bad, sender=alice)
    good_contributor(w3, trainer, alice)
    good_contributor(w3, trainer, alice)
    good_contributor(w3, trainer, bob)
    # alice has 2 of the 3 good contributions: she takes 2/3 of the deposit, once.
    assert (
        balance_change(w3, alice, lambda: om.report(trainer=trainer, contribution=bad, sender=alice)) == 2 * BASE // 3
    )
    with pytest.raises(TransactionFailed, match="AlreadyTaken"):
        om.report(trainer=trainer, contribution=bad, sender=alice)
    assert balance_change(w3, bob, lambda: om.report(trainer=trainer, contribution=bad, sender=bob)) == BASE // 3
    assert trainer.functions.remainingDeposit(bad.id).call() == BASE - 2 * BASE // 3 - BASE // 3


def test_no_take_while_the_model_agrees(w3, drt, roles):
    _, trainer = drt
    alice, bob = roles.workers[:2]
    good_contributor(w3, trainer, alice)
    fine = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=bob).contribution
    advance(w3, T)
    with pytest.raises(TransactionFailed, match="ModelAgrees"):
        om.report(trainer=trainer, contribution=fine, sender=alice)


def test_the_creator_then_anyone_takes_what_is_left(w3, drt, roles):
    _, trainer = drt
    creator, mallory, carol = roles.oracle, roles.workers[1], roles.workers[3]
    first = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=mallory).contribution
    second = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=mallory).contribution
    advance(w3, T_CREATOR)
    with pytest.raises(TransactionFailed, match="NoGoodData"):
        om.report(trainer=trainer, contribution=first, sender=carol)  # t_c is the creator's alone
    assert (
        balance_change(w3, creator, lambda: om.report(trainer=trainer, contribution=first, sender=creator))
        == first.deposit
    )
    advance(w3, T_ANYONE - T_CREATOR)
    assert (
        balance_change(w3, carol, lambda: om.report(trainer=trainer, contribution=second, sender=carol))
        == second.deposit
    )
    with pytest.raises(TransactionFailed, match="NoDeposit"):
        om.report(trainer=trainer, contribution=second, sender=creator)


def test_nobody_but_the_trainer_updates_its_model(drt, roles):
    model, _ = drt
    from apps.chain.client import send

    with pytest.raises(TransactionFailed, match="NotTrainer"):
        send(model.functions.update(GOOD_X, 1), sender=roles.oracle)  # not even its owner


def test_points_mode_counts_good_and_bad_data_without_deposits(w3, roles, make_model):
    model = make_model(
        kind="perceptron",
        class_names=["neg", "pos"],
        seal=False,
        params=om.perceptron_params(num_features=20, sparse=True, binary=True),
        values=[5 * om.SCALE if f in GOOD_X else -5 * om.SCALE if f in BAD_X else 0 for f in range(21)],
    )
    trainer = om.create_trainer(
        w3=w3,
        creator=roles.oracle,
        model=model,
        params=om.trainer_params(refund_wait=T, creator_wait=T, anyone_wait=T, pricing=om.points_pricing()),
    ).contract
    om.seal(model=model, owner=roles.oracle, trainer=trainer.address)
    alice, mallory = roles.workers[:2]
    assert trainer.functions.requiredDeposit().call() == 0
    with pytest.raises(TransactionFailed, match="PointsOnly"):
        om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=alice, deposit=1)
    good = om.add_data(trainer=trainer, x=GOOD_X, label=1, sender=alice).contribution
    bad = om.add_data(trainer=trainer, x=BAD_X, label=1, sender=mallory).contribution
    advance(w3, T)
    with pytest.raises(TransactionFailed, match="NoGoodData"):
        om.report(trainer=trainer, contribution=bad, sender=roles.stranger)  # t_a passed, but there is nothing to take
    assert balance_change(w3, alice, lambda: om.refund(trainer=trainer, contribution=good, sender=alice)) == 0
    assert trainer.functions.goodData(alice.address).call() == 1
    with pytest.raises(TransactionFailed, match="ModelDisagrees"):
        om.refund(trainer=trainer, contribution=bad, sender=mallory)
    om.report(trainer=trainer, contribution=bad, sender=alice)
    assert trainer.functions.badData(mallory.address).call() == 1
    with pytest.raises(TransactionFailed, match="NoDeposit"):
        om.report(trainer=trainer, contribution=bad, sender=alice)  # counted once
