"""Compile the Solidity sources with py-solc-x, using solc-js (npm `solc`) behind a small Node
wrapper as `solc_binary` (contracts/tools/solc.js): a native solc cannot be downloaded here.

Artifacts (ABI + bytecode) are written to contracts/build/<Contract>.json; they are generated, never
hand-edited, and `load_artifact` recompiles when a source is newer than the build.

Imports of npm packages (`@openzeppelin/...`, `@semaphore-protocol/...`, `poseidon-solidity/...`,
`@zk-kit/lean-imt.sol/...`) resolve into node_modules through the wrapper's import callback. The few
npm contracts we deploy ourselves (NPM_DEPLOYABLES) are compiled as sources too so they get artifacts;
a contract calling a public library function (LeanIMT -> PoseidonT3) carries link references, and
`linked_bytecode` fills in the library's address. Generated contracts (contracts/generated: the
snarkjs-exported Groth16 verifier) are compiled like the npm ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import solcx
from django.conf import settings

SOLC_VERSION = "0.8.24"
EVM_VERSION = "cancun"
OPTIMIZER_RUNS = 10_000
NPM_OPTIMIZER_RUNS = 200

# npm sources whose contracts we deploy (source unit name = import path under node_modules).
NPM_DEPLOYABLES = (
    "@semaphore-protocol/contracts/base/SemaphoreVerifier.sol",
    "poseidon-solidity/PoseidonT3.sol",
)


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list
    bytecode: str
    deployed_bytecode: str
    # library name -> byte offsets in `bytecode` where its address goes (empty when nothing to link)
    link_references: dict[str, list[int]] = field(default_factory=dict)


def linked_bytecode(artifact: Artifact, libraries: Mapping[str, str]) -> str:
    """The creation bytecode with each linked library's address written at its offsets."""
    missing = set(artifact.link_references) - set(libraries)
    if missing:
        raise ValueError(f"{artifact.name} needs the addresses of {sorted(missing)}")
    code = artifact.bytecode[2:]
    for library, offsets in artifact.link_references.items():
        address = libraries[library].lower().removeprefix("0x")
        for offset in offsets:
            code = code[: 2 * offset] + address + code[2 * offset + 40 :]
    return "0x" + code


def solc_wrapper() -> Path:
    return Path(settings.BASE_DIR) / "contracts" / "tools" / "solc.js"


def source_files() -> list[Path]:
    return sorted(Path(settings.CONTRACTS_SRC_DIR).rglob("*.sol"))


def generated_files() -> list[Path]:
    return sorted((Path(settings.CONTRACTS_SRC_DIR).parent / "generated").glob("*.sol"))


def _compile(sources: dict[str, dict], *, via_ir: bool, runs: int) -> dict[str, Artifact]:
    """One solc run; code is generated only for `sources` (imports are just read), and one artifact
    is written per deployable contract they define."""
    standard_input = {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "optimizer": {"enabled": True, "runs": runs},
            "viaIR": via_ir,
            "evmVersion": EVM_VERSION,
            "outputSelection": {
                name: {
                    "*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences", "evm.deployedBytecode.object"]
                }
                for name in sources
            },
        },
    }
    output = solcx.compile_standard(
        standard_input,
        solc_binary=solc_wrapper(),
        base_path=str(settings.CONTRACTS_SRC_DIR),
        allow_paths=[str(settings.NODE_MODULES_DIR)],
    )
    build_dir = Path(settings.CONTRACTS_BUILD_DIR)
    build_dir.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Artifact] = {}
    for source_name in sources:
        for name, contract in output["contracts"].get(source_name, {}).items():
            bytecode = contract["evm"]["bytecode"]["object"]
            if not bytecode:  # interfaces and abstract contracts
                continue
            artifact = Artifact(
                name=name,
                abi=contract["abi"],
                bytecode="0x" + bytecode,
                deployed_bytecode="0x" + contract["evm"]["deployedBytecode"]["object"],
                link_references={
                    library: [ref["start"] for ref in refs]
                    for by_library in contract["evm"]["bytecode"].get("linkReferences", {}).values()
                    for library, refs in by_library.items()
                },
            )
            (build_dir / f"{name}.json").write_text(json.dumps(artifact.__dict__, indent=1))
            artifacts[name] = artifact
    return artifacts


def compile_contracts() -> dict[str, Artifact]:
    """Compile every source under contracts/src, then the npm contracts we deploy, and write one JSON
    artifact per deployable contract.

    The npm and generated ones are built as their authors build them (legacy pipeline, default runs):
    their large hand-written assembly (Poseidon rounds, pairing checks) takes solc-js many minutes
    through viaIR."""
    src_dir = Path(settings.CONTRACTS_SRC_DIR)
    node_modules = Path(settings.NODE_MODULES_DIR)
    ours = {str(p.relative_to(src_dir)): {"content": p.read_text()} for p in source_files()}
    legacy = {name: {"content": (node_modules / name).read_text()} for name in NPM_DEPLOYABLES}
    legacy |= {f"generated/{p.name}": {"content": p.read_text()} for p in generated_files()}
    return _compile(ours, via_ir=True, runs=OPTIMIZER_RUNS) | _compile(legacy, via_ir=False, runs=NPM_OPTIMIZER_RUNS)


def _build_is_stale(path: Path) -> bool:
    if not path.exists():
        return True
    built = path.stat().st_mtime
    return any(source.stat().st_mtime > built for source in (*source_files(), *generated_files()))


def load_artifact(name: str) -> Artifact:
    path = Path(settings.CONTRACTS_BUILD_DIR) / f"{name}.json"
    if _build_is_stale(path):
        compile_contracts()
    if not path.exists():
        raise LookupError(f"no contract named {name} in contracts/src")
    return Artifact(**json.loads(path.read_text()))
