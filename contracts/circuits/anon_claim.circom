pragma circom 2.1.5;

// Anonymous reward claim for CrowdAL (issue 5). After settlement the job's oracle publishes the root
// of a fixed-depth Poseidon Merkle tree whose leaves are the Semaphore nullifiers of the job's CORRECT
// anonymous labels, nullifier = Poseidon2(scopeHash, secret) (Semaphore v4, scope = (chain, labels
// contract, job, item)). A labeler proves, for up to N of those leaves, that it knows the identity
// secret behind them, without saying which leaves. For each used slot it reveals a claim nullifier
// Poseidon3(secret, scopeHash, CLAIM_DOMAIN): the contract marks it spent, so each correct label is
// paid once across any number of claims, and nobody without the secret can link a claim nullifier to
// the label nullifier it came from. Unused slots reveal 0 and count is the number of used slots.

include "circomlib/circuits/poseidon.circom";

// uint256(keccak256("CrowdAL anonymous reward claim")) >> 8: separates claim nullifiers from every
// other Poseidon3 use of the identity secret.
function CLAIM_DOMAIN() {
    return 130552920724785732067780949953934866165369263679533863486330474831985024123;
}

// Root of a depth-D binary Poseidon tree from a leaf and its path (pathIndices[i] = 1 when the node
// at level i is a right child).
template MerkleRoot(D) {
    signal input leaf;
    signal input pathElements[D];
    signal input pathIndices[D];
    signal output root;

    signal nodes[D + 1];
    signal left[D];
    nodes[0] <== leaf;
    for (var i = 0; i < D; i++) {
        pathIndices[i] * (1 - pathIndices[i]) === 0;
        left[i] <== nodes[i] + pathIndices[i] * (pathElements[i] - nodes[i]);
        nodes[i + 1] <== Poseidon(2)([left[i], nodes[i] + pathElements[i] - left[i]]);
    }
    root <== nodes[D];
}

template AnonClaim(N, D) {
    signal input root;       // the correct-labels root the oracle posted for the job
    signal input jobScope;   // binds the proof to (chain, rewards contract, job)
    signal input recipient;  // binds the proof to the address paid

    signal input secret;             // the Semaphore v4 identity's secretScalar
    signal input used[N];            // 1 for a slot that claims a label, 0 for an empty slot
    signal input scopeHashes[N];     // the labels' Semaphore scope hashes
    signal input pathElements[N][D];
    signal input pathIndices[N][D];

    signal output count;
    signal output claimNullifiers[N];

    var sum = 0;
    for (var j = 0; j < N; j++) {
        used[j] * (1 - used[j]) === 0;
        var leaf = Poseidon(2)([scopeHashes[j], secret]);
        var computed = MerkleRoot(D)(leaf, pathElements[j], pathIndices[j]);
        used[j] * (computed - root) === 0;
        var claimNullifier = Poseidon(3)([secret, scopeHashes[j], CLAIM_DOMAIN()]);
        claimNullifiers[j] <== used[j] * claimNullifier;
        sum += used[j];
    }
    count <== sum;

    // Public inputs that take part in no constraint could be swapped under a valid proof; a square
    // ties each of them to the proof (as Semaphore does with its message).
    signal jobScopeSquare <== jobScope * jobScope;
    signal recipientSquare <== recipient * recipient;
}

component main {public [root, jobScope, recipient]} = AnonClaim(8, 14);
