from apps.chain.client import send
from apps.chain.registry import job_instance

from tests.chain_fixtures import BUDGET, DAY, TOKEN
from .support import error_selector, events, reverts_with

EIP1167_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")


def test_create_job_escrows_budget_and_clones(w3, deployed, make_job, roles):
    job = make_job(num_items=500, num_classes=5, redundancy=2, price=3 * TOKEN, manifest=b"\x07" * 32)

    (event,) = events(deployed.management, "JobCreated", job.created)
    assert event == {
        "jobId": 0,
        "instance": job.instance.address,
        "requester": roles.requester.address,
        "budget": BUDGET,
        "oracle": roles.oracle.address,
        "numItems": 500,
        "numClasses": 5,
        "redundancy": 2,
        "pricePerLabel": 3 * TOKEN,
        "deadline": job.deadline,
        "manifest": b"\x07" * 32,
    }
    assert deployed.token.functions.balanceOf(job.instance.address).call() == BUDGET
    assert deployed.token.functions.balanceOf(roles.requester.address).call() == 0
    assert deployed.management.functions.jobCount().call() == 1
    assert deployed.management.functions.jobAt(0).call() == job.instance.address

    code = bytes(w3.eth.get_code(job.instance.address))
    assert code.startswith(EIP1167_PREFIX)
    assert code[10:30] == bytes.fromhex(deployed.addresses["JobInstance"][2:])
    assert job.instance.functions.params().call() == [
        roles.oracle.address,
        roles.requester.address,
        deployed.token.address,
        500,
        5,
        2,
        job.deadline,
        3 * TOKEN,
        BUDGET,
        b"\x07" * 32,
    ]


def test_jobs_are_listed_in_creation_order(deployed, make_job):
    first, second = make_job(), make_job()
    assert deployed.management.functions.jobCount().call() == 2
    assert [deployed.management.functions.jobAt(i).call() for i in (0, 1)] == [
        first.instance.address,
        second.instance.address,
    ]
    assert second.job_id == 1


def test_create_job_without_allowance_reverts(w3, deployed, roles):
    send(deployed.token.functions.mint(roles.requester.address, BUDGET), sender=roles.oracle)
    deadline = w3.eth.get_block("latest")["timestamp"] + DAY
    create = deployed.management.functions.createJob(10, 2, 1, TOKEN, deadline, BUDGET, b"\x00" * 32)
    with reverts_with(error_selector("ERC20InsufficientAllowance(address,uint256,uint256)")):
        send(create, sender=roles.requester)


def test_create_job_rejects_bad_parameters(w3, deployed, roles):
    now = w3.eth.get_block("latest")["timestamp"]
    good = dict(num_items=10, num_classes=4, redundancy=3, price=TOKEN, deadline=now + DAY, budget=BUDGET)
    cases = [
        ("ItemCountOutOfRange", dict(num_items=0)),
        ("ItemCountOutOfRange", dict(num_items=(1 << 28) + 1)),
        ("ClassCountOutOfRange", dict(num_classes=1)),
        ("ClassCountOutOfRange", dict(num_classes=17)),
        ("RedundancyOutOfRange", dict(redundancy=0)),
        ("RedundancyOutOfRange", dict(redundancy=13)),
        ("DeadlineNotInFuture", dict(deadline=now)),
        ("BudgetOutOfRange", dict(budget=0)),
    ]
    for error, override in cases:
        p = {**good, **override}
        call = deployed.management.functions.createJob(
            p["num_items"], p["num_classes"], p["redundancy"], p["price"], p["deadline"], p["budget"], b"\x00" * 32
        )
        with reverts_with(error):
            send(call, sender=roles.requester)


def test_owner_changes_oracle_for_new_jobs_only(deployed, make_job, roles):
    before = make_job()
    sent = send(deployed.management.functions.setOracle(roles.stranger.address), sender=roles.oracle)
    assert events(deployed.management, "OracleChanged", sent) == [
        {"previousOracle": roles.oracle.address, "oracle": roles.stranger.address}
    ]
    after = make_job()
    assert before.instance.functions.params().call()[0] == roles.oracle.address
    assert after.instance.functions.params().call()[0] == roles.stranger.address


def test_only_owner_sets_oracle_and_never_to_zero(deployed, roles):
    with reverts_with("OwnableUnauthorizedAccount"):
        send(deployed.management.functions.setOracle(roles.stranger.address), sender=roles.stranger)
    with reverts_with("ZeroAddress"):
        send(deployed.management.functions.setOracle("0x" + "00" * 20), sender=roles.oracle)


def test_only_owner_mints(deployed, roles):
    with reverts_with("OwnableUnauthorizedAccount"):
        send(deployed.token.functions.mint(roles.stranger.address, 1), sender=roles.stranger)


def test_implementation_cannot_be_used_directly(w3, deployed, roles):
    implementation = job_instance(deployed.addresses["JobInstance"], w3=w3)
    with reverts_with("NotAClone"):
        send(implementation.functions.admitWorkers([roles.stranger.address]), sender=roles.oracle)
