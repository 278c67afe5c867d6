#!/usr/bin/env node
// The correct-labels tree from the command line: reads {nullifiers, pathsFor?, secret?, scopeHashes?}
// (decimal strings) and prints {root, leaves, paths: {leaf: {pathElements, pathIndices} or null}} for
// the leaves in pathsFor; with secret and scopeHashes also that identity's labelNullifiers and
// claimNullifiers (tests, audits).
import { buildCorrectTree, claimNullifier, labelNullifier, merklePath } from './claim.mjs';
import { answer } from './io.mjs';

await answer((request) => {
  const tree = buildCorrectTree(request.nullifiers ?? []);
  const scopes = request.secret === undefined ? [] : request.scopeHashes ?? [];
  return {
    root: tree.root,
    leaves: tree.leaves,
    paths: Object.fromEntries((request.pathsFor ?? []).map((leaf) => [leaf, merklePath(tree, leaf)])),
    labelNullifiers: scopes.map((scope) => labelNullifier(request.secret, scope)),
    claimNullifiers: scopes.map((scope) => claimNullifier(request.secret, scope)),
  };
});
